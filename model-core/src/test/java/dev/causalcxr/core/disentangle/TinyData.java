package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;

/** Small phantom cohorts for tests (cached: rendering is the slow part), and the tiny configs they train. */
public final class TinyData {

    private static DisentanglerDataset small;
    private static DisentanglerDataset fewer;

    private TinyData() {}

    /** 80 studies at 64 px. */
    static synchronized DisentanglerDataset small() {
        if (small == null) {
            small = DisentanglerDataset.fromPhantom(
                    new PhantomGenerator(PhantomSpec.defaults().withStudies(80).withSeed(11)),
                    SplitProportions.defaults(),
                    (done, total) -> {});
        }
        return small;
    }

    /** {@link DisentanglerConfig#tiny()} with one slot per finding of {@code data} and 4 shared dimensions. */
    public static DisentanglerConfig tinyConfigWithSlots(DisentanglerDataset data) {
        return DisentanglerConfig.tiny().toBuilder()
                .pathDim(4 + data.vocabulary().size())
                .findingSlots(1)
                .build();
    }

    /**
     * 44 studies at 64 px drawn like {@link #small()} (same findings, so the same vocabulary): fewer studies than
     * it, as a retrain's new data may be.
     */
    static synchronized DisentanglerDataset fewer() {
        if (fewer == null) {
            fewer = DisentanglerDataset.fromPhantom(
                    new PhantomGenerator(PhantomSpec.defaults().withStudies(44).withSeed(11)),
                    SplitProportions.defaults(),
                    (done, total) -> {});
        }
        return fewer;
    }
}
