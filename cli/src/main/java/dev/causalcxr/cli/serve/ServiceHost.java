package dev.causalcxr.cli.serve;

import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.registry.ModelVersion;
import dev.causalcxr.infra.stack.PlatformStack;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The service over a running stack: the model pool (served model loaded before this returns), the
 * dataset studies, the HTTP server. {@link #close} stops all three; the stack is the caller's.
 */
public final class ServiceHost implements AutoCloseable {
    private final ModelPool models;
    private final DatasetStudies studies;
    private final CounterfactualServer server;
    private final ServiceMetrics metrics;

    private ServiceHost(ModelPool models, DatasetStudies studies, CounterfactualServer server, ServiceMetrics metrics) {
        this.models = models;
        this.studies = studies;
        this.server = server;
        this.metrics = metrics;
    }

    /**
     * Loads {@code modelReference} and starts listening.
     *
     * @throws dev.causalcxr.infra.registry.ModelNotFoundException when the reference names no version
     */
    public static ServiceHost start(PlatformStack stack, String modelReference, ServeSettings settings)
            throws IOException {
        return start(stack, modelReference, settings, java.util.function.UnaryOperator.identity());
    }

    /** As above with the model's batch runner wrapped (tests hold the model busy). */
    static ServiceHost start(
            PlatformStack stack,
            String modelReference,
            ServeSettings settings,
            java.util.function.UnaryOperator<
                            BatchQueue.Runner<
                                    CounterfactualJob,
                                    dev.causalcxr.core.counterfactual.CounterfactualGenerator.Generation>>
                    modelRunner)
            throws IOException {
        ModelRegistry registry = stack.registry();
        Path work = stack.config().dataDir().resolve("serve");
        ServiceMetrics metrics = new ServiceMetrics();
        ModelPool models = new ModelPool(
                new ModelPool.Source() {
                    @Override
                    public ModelVersion resolve(String reference) {
                        return registry.resolve(reference);
                    }

                    @Override
                    public dev.causalcxr.core.counterfactual.CounterfactualGenerator open(ModelVersion version)
                            throws IOException {
                        return RegisteredGenerators.open(registry, version, work.resolve("models"));
                    }
                },
                modelReference,
                settings.maxLoadedModels(),
                metrics::modelLoaded);
        DatasetStudies studies =
                new DatasetStudies(new DatasetCatalog(stack.db()), stack.objectStore(), work.resolve("datasets"));
        try {
            models.start();
            CounterfactualServer server = new CounterfactualServer(
                    settings,
                    models,
                    new CounterfactualServer.RegistryView() {
                        @Override
                        public List<String> names() {
                            return registry.names();
                        }

                        @Override
                        public List<ModelVersion> versions(String name) {
                            return registry.versions(name);
                        }
                    },
                    studies,
                    metrics,
                    modelRunner);
            return new ServiceHost(models, studies, server, metrics);
        } catch (IOException | RuntimeException e) {
            models.close();
            studies.close();
            throw e;
        }
    }

    public CounterfactualServer server() {
        return server;
    }

    public ModelPool models() {
        return models;
    }

    public ServiceMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            models.close();
            studies.close();
        }
    }
}
