package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time of one phantom render of a study with its own findings at the quick profile's 64 px: the image the slot-change
 * term subtracts, which the trainer made at every slot swap before it kept one per study. Usage:
 * {@code OwnRenderCost [studies] [rounds]} (bench/disentangle/own-render).
 */
public final class OwnRenderCost {

    private static final Logger LOG = LoggerFactory.getLogger(OwnRenderCost.class);

    private OwnRenderCost() {}

    public static void main(String[] args) {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(PhantomSpec.defaults().withStudies(studies).withSeed(44)),
                SplitProportions.defaults(),
                (done, total) -> {});
        List<DisentanglerDataset.Study> truth = data.studies().stream()
                .filter(DisentanglerDataset.Study::hasGroundTruth)
                .toList();
        double checksum = 0;
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (DisentanglerDataset.Study s : truth) {
                checksum += data.counterfactual(s, s.truthFindings()).image().toFloat()[0];
            }
            double each = (System.nanoTime() - start) / 1e6 / truth.size();
            LOG.info(String.format(
                    "round %d: %d renders at %d px, %.2f ms each", round, truth.size(), data.size(), each));
        }
        LOG.info(String.format("checksum %.4f", checksum));
    }
}
