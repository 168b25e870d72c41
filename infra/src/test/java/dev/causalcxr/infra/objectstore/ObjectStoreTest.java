package dev.causalcxr.infra.objectstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.files.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoreTest {
    @TempDir
    static Path dir;

    static EmbeddedS3Server server;
    static ObjectStore store;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.start(dir.resolve("s3"), "testkey", "testsecret0123456789", "test-bucket");
        store = new ObjectStore(server.endpoint());
        store.ensureBucket();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void publishedObjectIsAddressedByItsDigestAndReadsBack() throws IOException {
        byte[] bytes = new byte[300_000];
        new Random(1).nextBytes(bytes);
        ObjectRef ref = store.putBytes(bytes);
        assertEquals(Digests.sha256Hex(bytes), ref.digest());
        assertEquals(bytes.length, ref.size());
        assertArrayEquals(bytes, store.getBytes(ref.digest()));
        Path out = store.getToFile(ref.digest(), dir.resolve("out.bin"));
        assertArrayEquals(bytes, Files.readAllBytes(out));
        assertTrue(store.verify(ref.digest()));
        assertTrue(store.listKeys("staging/").isEmpty(), "staging copies are removed after publishing");
    }

    @Test
    @SuppressWarnings("InputStreamSlowMultibyteRead") // a minimal stream that fails half-way
    void interruptedUploadLeavesNoVisibleObject() {
        byte[] bytes = "partial content that never completes".repeat(1000).getBytes(StandardCharsets.UTF_8);
        InputStream failing = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos >= bytes.length / 2) {
                    throw new IOException("connection reset while uploading");
                }
                return bytes[pos++] & 0xff;
            }
        };
        long before = store.listDigests().size();
        assertThrows(ObjectStoreException.class, () -> store.putStream(failing, bytes.length, null));
        assertEquals(before, store.listDigests().size());
        assertFalse(store.contains(Digests.sha256Hex(bytes)));
        assertTrue(store.listKeys("staging/").isEmpty());
    }

    @Test
    void uploadWhoseDigestDiffersFromTheExpectedOneIsNotPublished() throws IOException {
        Path f = dir.resolve("changed.bin");
        Files.writeString(f, "the file changed after its digest was taken");
        String stale = Digests.sha256Hex("the original file".getBytes(StandardCharsets.UTF_8));
        long before = store.listDigests().size();
        assertThrows(CorruptObjectException.class, () -> store.putFile(f, stale));
        assertEquals(before, store.listDigests().size());
        assertFalse(store.contains(Digests.sha256Hex(f)));
    }

    @Test
    void corruptedObjectIsDetectedOnRead() throws IOException {
        ObjectRef ref = store.putBytes("checkpoint bytes to be damaged on disk".getBytes(StandardCharsets.UTF_8));
        // the embedded server keeps objects as files: damage one behind the store's back
        Path onDisk;
        try (var files = Files.walk(dir.resolve("s3"))) {
            onDisk = files.filter(p -> p.getFileName().toString().equals(ref.digest()))
                    .findFirst()
                    .orElseThrow();
        }
        Files.writeString(onDisk, "checkpoint bytes that were DAMAGED on disk");
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> store.getBytes(ref.digest()));
        assertTrue(e.getMessage().contains(ref.digest()));
        Path target = dir.resolve("never-written.bin");
        assertThrows(CorruptObjectException.class, () -> store.getToFile(ref.digest(), target));
        assertFalse(Files.exists(target), "a corrupt download leaves no file behind");
        assertFalse(store.verify(ref.digest()));
    }

    @Test
    void publishingTheSameBytesTwiceIsIdempotent() {
        byte[] bytes = "same".getBytes(StandardCharsets.UTF_8);
        ObjectRef a = store.putBytes(bytes);
        ObjectRef b = store.putBytes(bytes);
        assertEquals(a, b);
    }
}
