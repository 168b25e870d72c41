package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.causalcxr.core.engine.ArrayValues;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads named float arrays in a fixed order: name, rank, dims, little-endian floats.
 * Reading checks names and shapes against the live arrays and copies the values into them in place.
 */
final class ParameterIo {

    private ParameterIo() {}

    static void write(DataOutputStream out, List<String> names, List<NDArray> arrays) throws IOException {
        out.writeInt(arrays.size());
        for (int i = 0; i < arrays.size(); i++) {
            NDArray a = arrays.get(i);
            out.writeUTF(names.get(i));
            long[] dims = a.getShape().getShape();
            out.writeInt(dims.length);
            for (long d : dims) {
                out.writeLong(d);
            }
            float[] values = a.toFloatArray();
            ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            out.write(buf.array());
        }
    }

    static void readInto(DataInputStream in, List<String> names, List<NDArray> arrays) throws IOException {
        Map<String, float[]> values =
                readValues(in, names, arrays.stream().map(NDArray::getShape).toList());
        for (int i = 0; i < arrays.size(); i++) {
            ArrayValues.overwrite(arrays.get(i), values.get(names.get(i)));
        }
    }

    /** Reads arrays written by {@link #write}, checking their names and shapes; values by name. */
    static Map<String, float[]> readValues(DataInputStream in, List<String> names, List<Shape> shapes)
            throws IOException {
        int count = in.readInt();
        if (count != shapes.size()) {
            throw new IOException("file holds " + count + " arrays, the network has " + shapes.size());
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            int rank = in.readInt();
            long[] dims = new long[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = in.readLong();
            }
            Shape expected = shapes.get(i);
            if (!name.equals(names.get(i)) || !new Shape(dims).equals(expected)) {
                throw new IOException("array " + i + " is " + name + " " + new Shape(dims) + ", expected "
                        + names.get(i) + " " + expected);
            }
            byte[] bytes = new byte[Math.toIntExact(expected.size() * Float.BYTES)];
            in.readFully(bytes);
            float[] values = new float[Math.toIntExact(expected.size())];
            ByteBuffer.wrap(bytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(values);
            out.put(name, values);
        }
        return out;
    }
}
