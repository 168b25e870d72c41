package dev.causalcxr.infra.temporal;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.net.ServerSocket;
import java.time.Duration;

/**
 * A connection to a Temporal service: a real cluster at {@code TEMPORAL_ADDRESS}, or the in-process
 * Java test service bound to a loopback port (so workers in other processes can join it too).
 */
public final class TemporalConnection implements AutoCloseable {
    private final TestServer.PortBoundTestServer embedded;
    private final WorkflowServiceStubs stubs;
    private final WorkflowClient client;
    private final String address;
    private final String namespace;

    private TemporalConnection(
            TestServer.PortBoundTestServer embedded, WorkflowServiceStubs stubs, String address, String namespace) {
        this.embedded = embedded;
        this.stubs = stubs;
        this.address = address;
        this.namespace = namespace;
        this.client = WorkflowClient.newInstance(
                stubs,
                WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    }

    public static TemporalConnection connect(String address, String namespace) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        return new TemporalConnection(null, stubs, address, namespace == null ? "default" : namespace);
    }

    /** Starts the in-process service on a free loopback port (real time, no time skipping). */
    public static TemporalConnection startEmbedded() {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no free loopback port for the Temporal service", e);
        }
        TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true);
        String address = "127.0.0.1:" + port;
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        return new TemporalConnection(server, stubs, address, "default");
    }

    public boolean embedded() {
        return embedded != null;
    }

    public String address() {
        return address;
    }

    public String namespace() {
        return namespace;
    }

    public WorkflowClient client() {
        return client;
    }

    public WorkflowServiceStubs stubs() {
        return stubs;
    }

    /** A worker factory whose workers never strand a workflow on a dead sticky queue. */
    public WorkerFactory newWorkerFactory() {
        return WorkerFactory.newInstance(
                client, WorkerFactoryOptions.newBuilder().build());
    }

    /** The test service never expires sticky queues itself; workers against it must not use them. */
    public Duration stickyScheduleToStartTimeout() {
        return embedded() ? Duration.ZERO : Duration.ofSeconds(5);
    }

    @Override
    public void close() {
        stubs.shutdown();
        stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        if (embedded != null) {
            embedded.close();
        }
    }
}
