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

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final S3Endpoint endpoint;

    private EmbeddedS3Server(S3Proxy proxy, BlobStoreContext context, S3Endpoint endpoint) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
    }

    public static EmbeddedS3Server start(Path baseDir, String accessKey, String secretKey, String bucket) {
        try {
            Files.createDirectories(baseDir);
            Properties props = new Properties();
            props.setProperty(
                    "jclouds.filesystem.basedir", baseDir.toAbsolutePath().toString());
            BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                    .credentials(accessKey, secretKey)
                    .overrides(props)
                    .buildView(BlobStoreContext.class);
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(context.getBlobStore())
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .ignoreUnknownHeaders(true)
                    .jettyMaxThreads(32)
                    .build();
            proxy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("embedded S3 server did not start within 30 s");
                }
                Thread.sleep(10);
            }
            S3Endpoint ep = new S3Endpoint("http://127.0.0.1:" + proxy.getPort(), accessKey, secretKey, bucket);
            return new EmbeddedS3Server(proxy, context, ep);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded S3 server: " + e.getMessage(), e);
        }
    }

    public S3Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the embedded S3 server", e);
        } finally {
            context.close();
        }
    }
}
