package dev.causalcxr.core.diffusion;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small self-describing file of named float tensors plus a JSON metadata string: the format of the
 * diffusion model, its training checkpoints and the tail-noise priors. Written to a temporary file and
 * moved into place, so a reader never sees a half-written archive. Exact: floats are stored bit for
 * bit, which is what makes resumed training equal an uninterrupted run.
 */
public final class TensorArchive {
    private static final String MAGIC = "CCXR-TENSORS-1";

    private final String metadataJson;
    private final Map<String, Tensor> tensors;

    public TensorArchive(String metadataJson, Map<String, Tensor> tensors) {
        this.metadataJson = metadataJson;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** One tensor: its shape and row-major values. */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            if (n != values.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " does not hold " + values.length + " values");
            }
        }
    }

    public String metadataJson() {
        return metadataJson;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor require(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("archive has no tensor '" + name + "'");
        }
        return t;
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            try (DataOutputStream out =
                    new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                out.writeUTF(MAGIC);
                byte[] meta = metadataJson.getBytes(StandardCharsets.UTF_8);
                out.writeInt(meta.length);
                out.write(meta);
                out.writeInt(tensors.size());
                for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                    out.writeUTF(e.getKey());
                    long[] shape = e.getValue().shape();
                    out.writeInt(shape.length);
                    for (long s : shape) {
                        out.writeLong(s);
                    }
                    float[] v = e.getValue().values();
                    ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    buf.asFloatBuffer().put(v);
                    out.writeInt(v.length);
                    out.write(buf.array());
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tensor archive " + file, e);
        }
    }

    public static TensorArchive read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such model/checkpoint file: " + file);
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            String magic;
            try {
                magic = in.readUTF();
            } catch (IOException e) {
                throw new IllegalArgumentException(file + " is not a tensor archive (unreadable header)", e);
            }
            if (!MAGIC.equals(magic)) {
                throw new IllegalArgumentException(file + " is not a tensor archive (header '" + magic + "')");
            }
            byte[] meta = new byte[in.readInt()];
            in.readFully(meta);
            int count = in.readInt();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                long[] shape = new long[in.readInt()];
                for (int k = 0; k < shape.length; k++) {
                    shape[k] = in.readLong();
                }
                float[] v = new float[in.readInt()];
                byte[] bytes = new byte[v.length * Float.BYTES];
                in.readFully(bytes);
                ByteBuffer.wrap(bytes)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(v);
                tensors.put(name, new Tensor(shape, v));
            }
            return new TensorArchive(new String(meta, StandardCharsets.UTF_8), tensors);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor archive " + file + " (truncated or corrupt?)", e);
        }
    }
}
