package dev.causalcxr.core.provenance;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the code fingerprint needs of one compiled class: its bytes without the debug attributes
 * (line numbers, local variable tables, source file name), so that an edited comment or a moved
 * line does not count as changed code; and the names of the classes it refers to.
 *
 * <p>The class-file layout is the JVM specification's (chapter 4); only the parts needed to find and
 * drop attributes are decoded, everything else is copied as it is.
 */
final class ClassFile {
    private static final Set<String> DEBUG_ATTRIBUTES = Set.of(
            "LineNumberTable", "LocalVariableTable", "LocalVariableTypeTable", "SourceFile", "SourceDebugExtension");
    /** Internal class names inside constant-pool strings: class entries, descriptors and signatures. */
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(?:/[A-Za-z_$][\\w$]*)+");

    private final byte[] withoutDebug;
    private final Set<String> referencedClasses;

    private ClassFile(byte[] withoutDebug, Set<String> referencedClasses) {
        this.withoutDebug = withoutDebug;
        this.referencedClasses = referencedClasses;
    }

    /** The class bytes with every debug attribute removed (counts adjusted; a valid class file). */
    byte[] withoutDebug() {
        return withoutDebug;
    }

    /** Internal names ({@code a/b/C$D}) of every class named in the constant pool, itself included. */
    Set<String> referencedClasses() {
        return referencedClasses;
    }

    static ClassFile parse(byte[] bytes) {
        try {
            return read(new DataInputStream(new java.io.ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("not a class file: " + e.getMessage(), e);
        }
    }

    private static ClassFile read(DataInputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buffer);
        int magic = in.readInt();
        if (magic != 0xCAFEBABE) {
            throw new IOException("bad magic number");
        }
        out.writeInt(magic);
        out.writeShort(in.readUnsignedShort()); // minor
        out.writeShort(in.readUnsignedShort()); // major
        int count = in.readUnsignedShort();
        out.writeShort(count);
        String[] utf8 = new String[count];
        Set<String> classes = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            out.writeByte(tag);
            switch (tag) {
                case 1 -> {
                    String s = in.readUTF();
                    out.writeUTF(s);
                    utf8[i] = s;
                    Matcher m = CLASS_NAME.matcher(s);
                    while (m.find()) {
                        classes.add(m.group());
                    }
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> out.writeInt(in.readInt());
                case 5, 6 -> {
                    out.writeLong(in.readLong());
                    i++; // eight-byte constants take two slots
                }
                case 7, 8, 16, 19, 20 -> out.writeShort(in.readUnsignedShort());
                case 15 -> {
                    out.writeByte(in.readUnsignedByte());
                    out.writeShort(in.readUnsignedShort());
                }
                default -> throw new IOException("unknown constant-pool tag " + tag + " at entry " + i);
            }
        }
        out.writeShort(in.readUnsignedShort()); // access flags
        out.writeShort(in.readUnsignedShort()); // this class
        out.writeShort(in.readUnsignedShort()); // super class
        int interfaces = in.readUnsignedShort();
        out.writeShort(interfaces);
        for (int i = 0; i < interfaces; i++) {
            out.writeShort(in.readUnsignedShort());
        }
        for (int members = 0; members < 2; members++) { // fields, then methods
            int n = in.readUnsignedShort();
            out.writeShort(n);
            for (int i = 0; i < n; i++) {
                out.writeShort(in.readUnsignedShort()); // access
                out.writeShort(in.readUnsignedShort()); // name
                out.writeShort(in.readUnsignedShort()); // descriptor
                copyAttributes(in, out, utf8);
            }
        }
        copyAttributes(in, out, utf8);
        if (in.read() != -1) {
            throw new IOException("trailing bytes after the class attributes");
        }
        out.flush();
        return new ClassFile(buffer.toByteArray(), classes);
    }

    private static void copyAttributes(DataInputStream in, DataOutputStream out, String[] utf8) throws IOException {
        int n = in.readUnsignedShort();
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        DataOutputStream k = new DataOutputStream(kept);
        int keptCount = 0;
        for (int i = 0; i < n; i++) {
            int nameIndex = in.readUnsignedShort();
            int length = in.readInt();
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("truncated attribute");
            }
            String name = nameIndex < utf8.length ? utf8[nameIndex] : null;
            if (name != null && DEBUG_ATTRIBUTES.contains(name)) {
                continue;
            }
            if ("Code".equals(name)) {
                body = codeWithoutDebug(body, utf8);
            }
            k.writeShort(nameIndex);
            k.writeInt(body.length);
            k.write(body);
            keptCount++;
        }
        k.flush();
        out.writeShort(keptCount);
        out.write(kept.toByteArray());
    }

    /** A Code attribute's body with its nested debug attributes removed. */
    private static byte[] codeWithoutDebug(byte[] body, String[] utf8) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(body.length);
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeShort(in.readUnsignedShort()); // max stack
        out.writeShort(in.readUnsignedShort()); // max locals
        int codeLength = in.readInt();
        out.writeInt(codeLength);
        out.write(in.readNBytes(codeLength));
        int handlers = in.readUnsignedShort();
        out.writeShort(handlers);
        out.write(in.readNBytes(handlers * 8));
        copyAttributes(in, out, utf8);
        out.flush();
        return buffer.toByteArray();
    }
}
