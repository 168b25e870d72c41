package dev.causalcxr.cli.serve;

import dev.causalcxr.core.counterfactual.CounterfactualGenerator;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.imaging.GrayImage;
import java.util.Map;

/**
 * A validated counterfactual request bound to the loaded model that answers it: everything
 * {@link CounterfactualGenerator#generateDetailed} takes, and what the answer's files record.
 *
 * @param model     the loaded version (acquired; released by the handler when answered)
 * @param original  the image as given (before fitting)
 * @param source    the image fitted into the model's square
 * @param condition the condition, checked against the model
 * @param asked     the request as the files record it
 * @param sourceDoc the {@code source} object of {@code counterfactuals.json}
 */
public record CounterfactualJob(
        ModelPool.Loaded model,
        GrayImage original,
        GrayImage source,
        Condition condition,
        CounterfactualFiles.Asked asked,
        Map<String, Object> sourceDoc) {

    /** Jobs run in one batch when they share the model and the sampler's steps and η. */
    public record BatchKey(ModelPool.Loaded model, int steps, float eta) {}

    public SamplerConfig sampler() {
        return new SamplerConfig(asked.steps(), asked.eta(), asked.guidance());
    }

    public BatchKey batchKey() {
        return new BatchKey(model, asked.steps(), asked.eta());
    }

    /** Rows of the sampler's pass: n, twice n with classifier-free guidance. */
    public int rows() {
        boolean guided = !condition.isNull() && asked.guidance() != 0f && asked.guidance() != 1f;
        return guided ? 2 * asked.n() : asked.n();
    }

    public CounterfactualGenerator.Request request() {
        return new CounterfactualGenerator.Request(source, condition, asked.n(), asked.seed(), sampler());
    }
}
