package dev.causalcxr.activities.pipeline;

import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.tracking.Tracker;
import java.util.LinkedHashMap;
import java.util.Map;

public final class PipelineActivitiesImpl implements PipelineActivities {
    private final PipelineJournal journal;
    private final Tracker tracker;

    public PipelineActivitiesImpl(PipelineJournal journal, Tracker tracker) {
        this.journal = journal;
        this.tracker = tracker;
    }

    @Override
    public String beginRun(RunStart s) {
        journal.createPipelineRun(s.runId(), s.specName(), s.specDigest(), s.specJson(), s.codeVersion());
        // a retried beginRun reuses the tracking run it already opened
        String existing = journal.pipelineRun(s.runId()).map(PipelineJournal.PipelineRunRow::trackingRunId).orElse(null);
        if (existing != null) {
            return existing;
        }
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("causalcxr.pipeline_run", s.runId());
        tags.put("causalcxr.spec_digest", s.specDigest());
        tags.put("causalcxr.code_version", s.codeVersion());
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
            tracker.endRun(f.trackingRunId(), "succeeded".equals(f.status()) ? "FINISHED"
                    : "cancelled".equals(f.status()) ? "KILLED" : "FAILED");
        }
        journal.finishPipelineRun(f.runId(), f.status(), f.summaryJson(), null);
    }
}
