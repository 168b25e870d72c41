package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.findings.FindingMention;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The encoded codes of every study: the input of the diffusion stage.
 *
 * <p>File format (all numbers big-endian, as {@link DataOutputStream} writes them):
 * <pre>
 * "CXRCODES"                      8 ASCII bytes
 * int   version                   1
 * int   count                     studies
 * int   pathDim                   length of z_path
 * int   identityDim               length of pooled z_id (= idChannels)
 * count × {
 *   UTF   studyId
 *   UTF   split                   "train" | "val" | "test"
 *   float[pathDim]     z_path posterior mean
 *   float[pathDim]     z_path posterior log-variance
 *   float[identityDim] spatially pooled z_id
 *   int   findings                present findings known for the study (ground truth or labels)
 *   findings × { UTF finding label, UTF severity, UTF laterality, UTF zone }
 * }
 * </pre>
 * UTF is Java's modified UTF-8 with a 2-byte length prefix. No patient ids, no report text.
 */
public record EncodedCodes(int pathDim, int identityDim, List<Entry> entries) {

    private static final String MAGIC = "CXRCODES";
    private static final int VERSION = 1;

    public EncodedCodes {
        entries = List.copyOf(entries);
    }

    /** The codes of one study. */
    public record Entry(
            String studyId,
            Split split,
            float[] pathMean,
            float[] pathLogVar,
            float[] pooledIdentity,
            List<FindingMention> findings) {
        public Entry {
            findings = List.copyOf(findings);
        }
    }

    public List<Entry> split(Split split) {
        return entries.stream().filter(e -> e.split() == split).toList();
    }

    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
            out.writeInt(VERSION);
            out.writeInt(entries.size());
            out.writeInt(pathDim);
            out.writeInt(identityDim);
            for (Entry e : entries) {
                out.writeUTF(e.studyId());
                out.writeUTF(e.split().label());
                writeFloats(out, e.pathMean(), pathDim);
                writeFloats(out, e.pathLogVar(), pathDim);
                writeFloats(out, e.pooledIdentity(), identityDim);
                out.writeInt(e.findings().size());
                for (FindingMention m : e.findings()) {
                    Map<String, String> j = m.toJsonMap();
                    out.writeUTF(j.get("finding"));
                    out.writeUTF(j.get("severity"));
                    out.writeUTF(j.get("laterality"));
                    out.writeUTF(j.get("zone"));
                }
            }
        }
    }

    public static EncodedCodes read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = new byte[MAGIC.length()];
            in.readFully(magic);
            if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IOException(file + " is not an encoded-codes file");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": unsupported codes version " + version);
            }
            int count = in.readInt();
            int pathDim = in.readInt();
            int identityDim = in.readInt();
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String studyId = in.readUTF();
                Split split = Split.valueOf(in.readUTF().toUpperCase(Locale.ROOT));
                float[] mean = readFloats(in, pathDim);
                float[] logVar = readFloats(in, pathDim);
                float[] pooled = readFloats(in, identityDim);
                int findings = in.readInt();
                List<FindingMention> mentions = new ArrayList<>(findings);
                for (int f = 0; f < findings; f++) {
                    mentions.add(FindingMention.fromJsonMap(Map.of(
                            "finding",
                            in.readUTF(),
                            "status",
                            "present",
                            "severity",
                            in.readUTF(),
                            "laterality",
                            in.readUTF(),
                            "zone",
                            in.readUTF())));
                }
                entries.add(new Entry(studyId, split, mean, logVar, pooled, mentions));
            }
            return new EncodedCodes(pathDim, identityDim, entries);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] values, int expected) throws IOException {
        if (values.length != expected) {
            throw new IllegalArgumentException("expected " + expected + " values, got " + values.length);
        }
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
