package dev.causalcxr.infra.objectstore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An in-process S3-compatible server (S3Proxy over a filesystem blob store) on a free loopback
 * port. Clients reach it only through the MinIO client, exactly as they would reach MinIO.
 */
public final class EmbeddedS3Server implements AutoCloseable {

    private final BlobStoreContext context;
    private final S3Endpoint endpoint;
    private final int port;
    /** The listening server; null while the endpoint is down ({@link #stopListening()}). */
    private S3Proxy proxy;

    private EmbeddedS3Server(S3Proxy proxy, BlobStoreContext context, S3Endpoint endpoint, int port) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
        this.port = port;
    }

    public static EmbeddedS3Server start(Path baseDir, String accessKey, String secretKey, String bucket) {
        BlobStoreContext context = null;
        try {
            Files.createDirectories(baseDir);
            Properties props = new Properties();
            props.setProperty(
                    "jclouds.filesystem.basedir", baseDir.toAbsolutePath().toString());
            context = ContextBuilder.newBuilder("filesystem")
                    .credentials(accessKey, secretKey)
                    .overrides(props)
                    .buildView(BlobStoreContext.class);
            S3Proxy proxy = listen(context, accessKey, secretKey, 0);
            S3Endpoint ep = new S3Endpoint("http://127.0.0.1:" + proxy.getPort(), accessKey, secretKey, bucket);
            return new EmbeddedS3Server(proxy, context, ep, proxy.getPort());
        } catch (RuntimeException e) {
            if (context != null) {
                context.close();
            }
            throw e;
        } catch (Exception e) {
            if (context != null) {
                context.close();
            }
            throw new IllegalStateException("cannot start the embedded S3 server: " + e.getMessage(), e);
        }
    }

    private static S3Proxy listen(BlobStoreContext context, String accessKey, String secretKey, int port)
            throws Exception {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .ignoreUnknownHeaders(true)
                .jettyMaxThreads(32)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("embedded S3 server did not start within 30 s");
            }
            Thread.sleep(10);
        }
        return proxy;
    }

    public S3Endpoint endpoint() {
        return endpoint;
    }

    /**
     * Closes the listening socket (clients get connection refused, as from a stopped MinIO); the stored objects
     * stay on disk. For outage drills ({@code causalcxr stack}'s control folder).
     */
    public synchronized void stopListening() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the embedded S3 server", e);
        }
        proxy = null;
    }

    /** Listens again on the same port, over the same stored objects. */
    public synchronized void resumeListening() {
        if (proxy != null) {
            return;
        }
        try {
            proxy = listen(context, endpoint.accessKey(), endpoint.secretKey(), port);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot restart the embedded S3 server on port " + port, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (proxy != null) {
                proxy.stop();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the embedded S3 server", e);
        } finally {
            proxy = null;
            context.close();
        }
    }
}
