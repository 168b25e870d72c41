package dev.causalcxr.activities.pipeline;

import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.core.diffusion.DiffusionStage;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.registry.ModelVersion;
import dev.causalcxr.infra.tracking.Tracker;
import io.temporal.failure.ApplicationFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public final class PipelineActivitiesImpl implements PipelineActivities {
    private final PipelineJournal journal;
    private final Tracker tracker;
    private final ObjectStore store;
    private final ModelRegistry registry;

    public PipelineActivitiesImpl(PipelineJournal journal, Tracker tracker, ObjectStore store, ModelRegistry registry) {
        this.journal = journal;
        this.tracker = tracker;
        this.store = store;
        this.registry = registry;
    }

    @Override
    public String beginRun(RunStart s) {
        journal.createPipelineRun(s.runId(), s.specName(), s.specDigest(), s.specJson(), s.codeVersion());
        // a retried beginRun reuses the tracking run it already opened
        String existing = journal.pipelineRun(s.runId())
                .map(PipelineJournal.PipelineRunRow::trackingRunId)
                .orElse(null);
        if (existing != null) {
            return existing;
        }
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("causalcxr.pipeline_run", s.runId());
        tags.put("causalcxr.spec_digest", s.specDigest());
        tags.put("causalcxr.code_version", s.codeVersion());
        // the process that began the run; each stage's run carries the provenance of the worker that ran it
        tags.put("causalcxr.provenance.git_commit", dev.causalcxr.core.spec.CodeVersion.gitDescription());
        dev.causalcxr.core.provenance.RuntimeIdentity.platform()
                .forEach((k, v) -> tags.put("causalcxr.provenance." + k, v));
        String trackingRun = tracker.startRun(s.experiment(), s.specName() + " " + s.runId(), null, tags);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("spec.name", s.specName());
        params.put("spec.digest", s.specDigest());
        params.put("spec.seed", String.valueOf(s.seed()));
        params.put("spec.profile", s.profile());
        params.put("spec.json", s.specJson());
        params.put("code_version", s.codeVersion());
        tracker.logParams(trackingRun, params);
        journal.setPipelineTrackingRun(s.runId(), trackingRun);
        return trackingRun;
    }

    @Override
    public void finishRun(RunFinish f) {
        if (f.trackingRunId() != null) {
            f.metrics().forEach((k, v) -> tracker.logMetric(f.trackingRunId(), k, v, 0));
            tracker.endRun(
                    f.trackingRunId(),
                    "succeeded".equals(f.status()) ? "FINISHED" : "cancelled".equals(f.status()) ? "KILLED" : "FAILED");
        }
        journal.finishPipelineRun(f.runId(), f.status(), f.summaryJson(), null);
    }

    @Override
    public String registerModel(ModelRegistration r) {
        Map<String, String> components = new LinkedHashMap<>();
        StageManifest disentangler = manifest(r, DisentanglerStage.NAME);
        StageManifest diffusion = manifest(r, DiffusionStage.NAME);
        components.put(ModelComponents.DISENTANGLER, output(disentangler, DisentanglerStage.OUTPUT_MODEL));
        components.put(ModelComponents.DIFFUSION, output(diffusion, DiffusionTraining.OUTPUT_MODEL));
        String tail = r.manifests().get(ModelComponents.TAIL_NOISE_STAGE);
        if (tail != null) {
            store.readJson(tail, StageManifest.class).outputs().forEach((name, entry) -> {
                if (name.startsWith(ModelComponents.PRIOR_OUTPUT_PREFIX)) {
                    components.put(
                            ModelComponents.PRIOR_ROLE_PREFIX
                                    + name.substring(ModelComponents.PRIOR_OUTPUT_PREFIX.length()),
                            entry.digest());
                }
            });
        }
        // the same files (a run answered from the cache) are the same model: no new version
        List<ModelVersion> existing =
                registry.names().contains(r.modelName()) ? registry.versions(r.modelName()) : List.of();
        if (!existing.isEmpty()
                && existing.get(existing.size() - 1).components().equals(components)) {
            return existing.get(existing.size() - 1).reference();
        }
        Map<String, String> provenance = modelProvenance(r, disentangler);
        Map<String, Double> metrics = new TreeMap<>();
        // the overall numbers travel with the version; per-class ones stay in the run
        r.metrics().forEach((k, v) -> {
            if (!k.contains("__") && !k.contains("/") && Double.isFinite(v)) {
                metrics.put(k, v);
            }
        });
        return registry.register(r.modelName(), components, provenance, metrics).reference();
    }

    /** Stage manifest provenance entries that describe the machine, not the stage. */
    private static final java.util.Set<String> RUNTIME_KEYS = java.util.Set.of(
            "causalcxr_version",
            "git_commit",
            "java",
            "os",
            "arch",
            "djl",
            "libtorch",
            "native_sha256",
            "intra_op_threads",
            "interop_threads");

    /**
     * What the model's provenance says: the run and spec, the runtime the generator was trained on
     * (from the disentangler's manifest: the worker that trained it, not this one), the dataset
     * version, per stage its code fingerprint and seed, and the sampler settings the counterfactual stage
     * used (the model's defaults for later requests).
     */
    private Map<String, String> modelProvenance(ModelRegistration r, StageManifest disentangler) {
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put(ModelRegistry.PIPELINE_RUN_ID, r.runId());
        provenance.put("spec_digest", r.specDigest());
        provenance.put("code_version", r.codeVersion());
        if (disentangler.provenance() != null) {
            disentangler.provenance().forEach((k, v) -> {
                if (RUNTIME_KEYS.contains(k)) {
                    provenance.put(k, v);
                }
            });
        }
        new TreeMap<>(r.manifests()).forEach((stage, digest) -> {
            StageManifest m = store.readJson(digest, StageManifest.class);
            provenance.put("seed." + stage, String.valueOf(m.seed()));
            if (m.provenance() != null && m.provenance().get("code_fingerprint") != null) {
                provenance.put("code." + stage, m.provenance().get("code_fingerprint"));
            }
            if (m.params() != null && m.params().get("dataset.version") != null) {
                provenance.put(
                        "dataset",
                        m.params().get("dataset.name") + "@" + m.params().get("dataset.version"));
            }
            if (stage.equals(ModelComponents.COUNTERFACTUAL_STAGE) && m.params() != null) {
                ModelComponents.GENERATION_PARAMS.forEach((param, key) -> {
                    if (m.params().get(param) != null) {
                        provenance.put(key, m.params().get(param));
                    }
                });
            }
        });
        return provenance;
    }

    private StageManifest manifest(ModelRegistration r, String stage) {
        String digest = r.manifests().get(stage);
        if (digest == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "a model needs the " + stage + " stage's outputs", "StageInputException");
        }
        return store.readJson(digest, StageManifest.class);
    }

    private static String output(StageManifest m, String name) {
        StageManifest.Entry e = m.outputs().get(name);
        if (e == null) {
            throw ApplicationFailure.newNonRetryableFailure(m.stage() + " published no " + name, "StageInputException");
        }
        return e.digest();
    }
}
