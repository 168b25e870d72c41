package dev.causalcxr.infra.objectstore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.causalcxr.core.files.Digests;
import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed object store over the MinIO client. Objects live at {@code sha256/<digest>}.
 * Publishing is atomic: bytes go to a private staging key, are read back and hashed, and only a
 * verified copy is made visible under the digest key; a failure anywhere leaves nothing visible.
 * Reads re-hash and refuse bytes that do not match their address.
 */
public final class ObjectStore {
    private static final Logger log = LoggerFactory.getLogger(ObjectStore.class);
    private static final String CONTENT_PREFIX = "sha256/";
    private static final String STAGING_PREFIX = "staging/";
    private static final long PART_SIZE = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final MinioClient client;
    private final S3Endpoint endpoint;

    public ObjectStore(S3Endpoint endpoint) {
        this.endpoint = endpoint;
        this.client = MinioClient.builder()
                .endpoint(endpoint.url())
                .credentials(endpoint.accessKey(), endpoint.secretKey())
                .region("us-east-1")
                .build();
    }

    public static String keyOf(String digest) {
        return CONTENT_PREFIX + digest;
    }

    public S3Endpoint endpoint() {
        return endpoint;
    }

    public String bucket() {
        return endpoint.bucket();
    }

    /**
     * Whether {@code failure} (or a cause of it) is the object store being unreachable: a refused or broken
     * connection, a timeout, or a 5xx answer. Such a failure says nothing about the objects; once the endpoint
     * is back the same call succeeds. Anything else (no such key, a corrupt object, a refused credential) is not.
     */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CorruptObjectException || t instanceof ErrorResponseException) {
                return false;
            }
            if (t instanceof java.net.SocketException
                    || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.UnknownHostException
                    || t instanceof java.io.EOFException
                    || t instanceof java.io.InterruptedIOException
                    || t instanceof io.minio.errors.ServerException
                    || (t instanceof IOException
                            && String.valueOf(t.getMessage()).contains("unexpected end of stream"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Waits until the endpoint answers (a bucket lookup), up to {@code limit}; returns whether it does. For a
     * stage attempt that failed on an outage: it ends when the store is back, so that the retry does not fail
     * on the same outage.
     */
    public boolean awaitAvailable(java.time.Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build());
                return true;
            } catch (Exception e) {
                if (System.nanoTime() > end) {
                    return false;
                }
            }
            Thread.sleep(500);
        }
    }

    /** Creates the bucket when missing. */
    public void ensureBucket() {
        call("create bucket " + bucket(), () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket()).build());
            }
            return null;
        });
    }

    public ObjectRef putFile(Path file) {
        return putFile(file, null);
    }

    /** Publishes a file; when {@code expectedDigest} is given, a mismatch publishes nothing. */
    public ObjectRef putFile(Path file, String expectedDigest) {
        try (InputStream in = Files.newInputStream(file)) {
            return putStream(in, Files.size(file), expectedDigest);
        } catch (IOException e) {
            throw new ObjectStoreException("cannot read " + file.getFileName() + " for upload", e);
        }
    }

    public ObjectRef putBytes(byte[] bytes) {
        return putStream(new ByteArrayInputStream(bytes), bytes.length, null);
    }

    public ObjectRef putJson(Object value) {
        try {
            return putBytes(JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new ObjectStoreException("cannot serialize JSON object", e);
        }
    }

    public <T> T readJson(String digest, Class<T> type) {
        try {
            return JSON.readValue(getBytes(digest), type);
        } catch (IOException e) {
            throw new ObjectStoreException("object " + digest + " is not valid JSON of " + type.getSimpleName(), e);
        }
    }

    /**
     * Uploads a stream of known size. The stream's bytes are hashed on the way up; the staged copy
     * is hashed again on the way back; only then is the digest key written.
     */
    public ObjectRef putStream(InputStream in, long size, String expectedDigest) {
        String staging = STAGING_PREFIX + UUID.randomUUID();
        MessageDigest md = Digests.sha256();
        try {
            try (DigestInputStream din = new DigestInputStream(in, md)) {
                call(
                        "upload",
                        () -> client.putObject(PutObjectArgs.builder().bucket(bucket()).object(staging).stream(
                                        din, size, size > PART_SIZE ? PART_SIZE : -1)
                                .build()));
            }
            String digest = HexFormat.of().formatHex(md.digest());
            if (expectedDigest != null && !expectedDigest.equals(digest)) {
                throw new CorruptObjectException(
                        "upload digest " + digest + " differs from the expected " + expectedDigest);
            }
            String stagedDigest = hashObject(staging);
            if (!stagedDigest.equals(digest)) {
                throw new CorruptObjectException("staged copy hashes to " + stagedDigest + ", uploaded " + digest);
            }
            String key = keyOf(digest);
            // an object already at the key is kept only when it verifies: publishing repairs a corrupt one
            if (!exists(key) || !hashObject(key).equals(digest)) {
                call(
                        "publish " + key,
                        () -> client.copyObject(CopyObjectArgs.builder()
                                .bucket(bucket())
                                .object(key)
                                .source(CopySource.builder()
                                        .bucket(bucket())
                                        .object(staging)
                                        .build())
                                .build()));
            }
            return new ObjectRef(digest, size);
        } catch (IOException e) {
            throw new ObjectStoreException("upload failed: " + e.getMessage(), e);
        } finally {
            removeQuietly(staging);
        }
    }

    /**
     * Removes a published object. Stages that cached it recompute it on their next run (their cache
     * verification sees it missing); this is for garbage collection and for tests of that recovery.
     */
    public void remove(String digest) {
        String key = keyOf(digest);
        call("remove " + key, () -> {
            client.removeObject(
                    RemoveObjectArgs.builder().bucket(bucket()).object(key).build());
            return null;
        });
    }

    public boolean contains(String digest) {
        return exists(keyOf(digest));
    }

    /**
     * True when the object exists and its bytes hash to its address.
     *
     * @throws ObjectStoreException when the store is unreachable ({@link #isUnavailable}): that says nothing
     *     about the object
     */
    public boolean verify(String digest) {
        try {
            return contains(digest) && hashObject(keyOf(digest)).equals(digest);
        } catch (ObjectStoreException e) {
            if (isUnavailable(e)) {
                throw e;
            }
            return false;
        }
    }

    public byte[] getBytes(String digest) {
        byte[] bytes = call("read " + digest, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder()
                    .bucket(bucket())
                    .object(keyOf(digest))
                    .build())) {
                return in.readAllBytes();
            }
        });
        String actual = Digests.sha256Hex(bytes);
        if (!actual.equals(digest)) {
            throw new CorruptObjectException("object sha256/" + digest + " is corrupt: its bytes hash to " + actual);
        }
        return bytes;
    }

    /** Downloads to {@code dest} through a temporary file; a corrupt object leaves {@code dest} untouched. */
    public Path getToFile(String digest, Path dest) {
        try {
            Path parent = dest.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, ".download-", ".part");
            try {
                MessageDigest md = Digests.sha256();
                call("read " + digest, () -> {
                    try (InputStream in = client.getObject(GetObjectArgs.builder()
                                    .bucket(bucket())
                                    .object(keyOf(digest))
                                    .build());
                            OutputStream out = Files.newOutputStream(tmp)) {
                        byte[] buf = new byte[1 << 16];
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            md.update(buf, 0, n);
                            out.write(buf, 0, n);
                        }
                    }
                    return null;
                });
                String actual = HexFormat.of().formatHex(md.digest());
                if (!actual.equals(digest)) {
                    throw new CorruptObjectException(
                            "object sha256/" + digest + " is corrupt: its bytes hash to " + actual);
                }
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return dest;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ObjectStoreException("cannot write download of " + digest, e);
        }
    }

    /** Writes a file under a plain key (used for tracker artifacts that live at a run's artifact URI). */
    public void putAtKey(String key, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            call(
                    "upload " + key,
                    () -> client.putObject(PutObjectArgs.builder().bucket(bucket()).object(key).stream(
                                    in, size, size > PART_SIZE ? PART_SIZE : -1)
                            .build()));
        } catch (IOException e) {
            throw new ObjectStoreException("cannot read " + file.getFileName() + " for upload", e);
        }
    }

    public List<String> listKeys(String prefix) {
        return call("list " + prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket())
                    .prefix(prefix)
                    .recursive(true)
                    .build())) {
                keys.add(r.get().objectName());
            }
            return keys;
        });
    }

    /** Visible (published) content digests. */
    public List<String> listDigests() {
        return listKeys(CONTENT_PREFIX).stream()
                .map(k -> k.substring(CONTENT_PREFIX.length()))
                .toList();
    }

    private boolean exists(String key) {
        try {
            StatObjectResponse stat = client.statObject(
                    StatObjectArgs.builder().bucket(bucket()).object(key).build());
            return stat != null;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())
                    || "NoSuchObject".equals(e.errorResponse().code())) {
                return false;
            }
            throw new ObjectStoreException("cannot stat " + key + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new ObjectStoreException("cannot stat " + key + " at " + endpoint.url() + ": " + e.getMessage(), e);
        }
    }

    private String hashObject(String key) {
        return call("hash " + key, () -> {
            try (InputStream in = client.getObject(
                    GetObjectArgs.builder().bucket(bucket()).object(key).build())) {
                return Digests.sha256Hex(in);
            }
        });
    }

    private void removeQuietly(String key) {
        try {
            client.removeObject(
                    RemoveObjectArgs.builder().bucket(bucket()).object(key).build());
        } catch (Exception e) {
            log.warn("could not remove staging object {}: {}", key, e.toString());
        }
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws Exception;
    }

    private <T> T call(String what, S3Call<T> c) {
        try {
            return c.run();
        } catch (CorruptObjectException | ObjectStoreException e) {
            throw e;
        } catch (ErrorResponseException e) {
            throw new ObjectStoreException(
                    what + " failed: " + e.errorResponse().code() + " "
                            + e.errorResponse().message(),
                    e);
        } catch (Exception e) {
            throw new ObjectStoreException(what + " failed at " + endpoint.url() + ": " + e, e);
        }
    }
}
