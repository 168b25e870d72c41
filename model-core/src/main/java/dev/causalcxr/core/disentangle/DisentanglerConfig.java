package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.engine.DeviceName;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the disentangler stage needs to know: network sizes, loss weights, optimization and
 * run-control settings. One record = the stage's block of the experiment spec (Jackson reads it
 * directly), and it travels inside the saved model so a loaded model rebuilds the same networks.
 *
 * @param baseWidth              channels of the first encoder layer; level l has baseWidth·2^l
 * @param downsamplings          stride-2 steps of the encoder: z_id is a (H/2^d)×(W/2^d) map
 * @param idChannels             channels of the spatial identity code z_id
 * @param pathDim                length of the pathology code z_path
 * @param headHidden             hidden units of the auxiliary head and of the adversarial probe
 * @param steps                  optimizer steps
 * @param batchSize              studies per batch (group pairs included)
 * @param pairsPerKind           identity pairs and pathology pairs guaranteed in every batch
 * @param learningRate           Adam step size
 * @param seed                   seed of initialization, sampler and reparameterization noise
 * @param groupSupervision       false = the ablation: no identity/pathology pair swap losses (pairs still
 *                               sampled; the cycle terms, which need no groups, stay)
 * @param pixelWeight            weight of the per-image L1 pixel loss
 * @param ssimWeight             weight of (1 − SSIM)
 * @param klWeight               weight of KL(q(z_path|x) ‖ N(0, I)) (summed over dims, batch mean)
 * @param identitySwapWeight     weight of D(z_id(x_j), z_path(x_i)) ≈ x_i, same patient
 * @param pathologySwapWeight    weight of D(z_id(x_i), z_path(x_j)) ≈ x_i, same finding tuple
 * @param auxWeight              weight of the finding head's BCE on z_path
 * @param adversarialWeight      weight of the probe's BCE on pooled z_id (through gradient reversal)
 * @param reversalLambda         gradient reversal factor λ (backward multiplies by −λ)
 * @param dependenceWeight       weight of ‖cross-covariance(pooled z_id, z_path mean)‖²_F
 * @param checkpointInterval     steps between checkpoints (the last step is always checkpointed)
 * @param divergenceFactor       a loss above this × the running median counts as divergence
 * @param divergenceWindow       steps in the running median (and warm-up before the check applies)
 * @param device                 {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param evalPairs              swap pairs (A, B) drawn from the test split for the swap metrics
 * @param gridIdentities         rows of the swap grid
 * @param gridPathologies        columns of the swap grid
 * @param runAblation            also train and evaluate the same model without group supervision
 * @param cycleSwaps             cross-patient swaps D(z_id(A), z_path(B)) per batch that are re-encoded
 *                               (0 = no cycle losses; models saved before these fields load as 0)
 * @param cycleWeight            weight of the finding head's BCE on the re-encoded swap against B's findings
 * @param cycleIdentityWeight    weight of ‖z_id(re-encoded swap) − z_id(A)‖² (mean over elements; A's code
 *                               is a fixed target)
 * @param spatialProbe           the adversarial probe reads the spatial z_id map through a small conv
 *                               net instead of its spatial mean (false = the mean, as before)
 * @param pathologyEncoder       z_path comes from its own small CNN on the per-image standardized image
 *                               (false = a branch on the shared encoder trunk, as before)
 * @param learningRateSchedule   {@code constant} or {@code cosine} (from learningRate down to 0 at the last
 *                               step); models saved before this field load as constant
 * @param pathGrid               0: z_path is a vector that modulates the decoder channel-wise only (as before);
 *                               g &gt; 0: z_path is a g × g pathology map of pathDim / g² channels (flattened
 *                               channel-major), encoded at its own resolution and modulating the decoder
 *                               position by position as well, so a finding can sit somewhere (models saved
 *                               before this field load as 0)
 * @param findingPositiveWeight  0: the finding head's BCE weighs positives and negatives alike (as before);
 *                               c &gt; 0: each finding's positives weigh min(c, negatives / positives) of the
 *                               training labels, so rare findings are not simply predicted absent (models
 *                               saved before this field load as 0)
 * @param identityPairsByFinding false: identity pairs anchor on a uniformly drawn study (as before); true: each
 *                               pair picks a finding uniformly and pairs a study showing it with the same
 *                               patient's study without it ({@link GroupBatchSampler}), so rare findings reach
 *                               the identity swap as often as common ones (models saved before this field load
 *                               as false)
 * @param findingBalancedShare   with identityPairsByFinding: the share of each batch's slots left after the pairs
 *                               that is drawn balanced by finding (a finding uniformly, then a study showing
 *                               it) instead of from the epoch's shuffle; 0 = none (models saved before this
 *                               field load as 0)
 * @param findingMaskWeight      0: off (as before); w &gt; 0, phantom data only: each reconstruction item also
 *                               pays w × its mean |D − x| inside the target's finding masks, and each identity
 *                               swap inside the union of both studies' masks, so a lesion of 40 pixels weighs
 *                               as much as the 4,000 around it (studies without phantom ground truth pay
 *                               nothing extra; models saved before this field load as 0)
 * @param decoderMapGrid         0: off (as before); g &gt; 0 (a power of two, with a vector z_path, pathGrid 0): the
 *                               decoder also turns the z_path vector into a g × g map of {@value
 *                               #DECODER_MAP_CHANNELS} channels (a two-layer perceptron) that modulates its
 *                               features position by position at every scale, as the pathology map does, while
 *                               the code itself stays a small vector (models saved before this field load as 0)
 * @param exactSwaps             0: off (as before); k &gt; 0, phantom data only: k cross-patient swaps per batch
 *                               D(z_id(A), z_path(B)) are also decoded against the phantom's exact render of A's
 *                               anatomy, acquisition and noise showing B's findings where B shows them (B's
 *                               placement draw), a pixel target for what a swap should draw (pairs without
 *                               phantom ground truth are skipped; models saved before this field load as 0)
 * @param exactSwapWeight        weight of the exact swaps' reconstruction loss (their mean, as the other swap
 *                               kinds), with findingMaskWeight applied inside both studies' finding masks
 * @param augmentShift           0: off (as before); k &gt; 0: each training step shifts its whole batch (images,
 *                               exact-swap targets and finding masks alike, so every pair's target still fits)
 *                               by a random (dx, dy) in [−k, k] pixels, edges repeated: a rare finding is seen at
 *                               new positions each time its study returns (models saved before this field load as 0)
 * @param findingSlots           0: off (as before); d &gt; 0: the last d × F numbers of z_path are one slot of d per
 *                               finding (F the data's finding vocabulary), gated in training by the study's labels:
 *                               the decoder sees finding k's slot only where the study has k, so it can learn to
 *                               draw k from that slot alone, however rare k is, and the encoder only has to
 *                               describe a finding it is told is there. An absent slot's prior is N(0, 0.1²)
 *                               instead of N(0, 1) (weight klWeight), so that codes read from unlabelled images
 *                               follow the same layout; the finding head reads the ungated code. Needs a vector
 *                               z_path (pathGrid 0) with pathDim &gt; d × F (models saved before this field load
 *                               as 0). Opt-in and off in every shipped spec: bench/generator/RESULTS.md, "Finding
 *                               slots" (a slot alone does not make the decoder draw a rare finding)
 * @param slotSwaps              0: off (as before); k &gt; 0, phantom data with findingSlots only: k slot swaps per
 *                               batch. A study A borrows one finding k it lacks from a study B of the batch (k
 *                               uniform among the findings the batch can lend): A's gated code with only slot k
 *                               taken from B is decoded against the phantom's render of A with its own findings plus
 *                               B's k, placed by B's draw. This is the composition a counterfactual makes, so the
 *                               decoder is trained to draw k from slot k alone (models saved before this field load
 *                               as 0). Opt-in, off in every shipped spec: bench/generator/RESULTS.md, "Slot swaps"
 *                               (no mass drawn from its slot in seven runs)
 * @param slotSwapWeight         weight of the slot swaps' reconstruction loss (their mean)
 * @param findingLayers          false: off (as before); true, with findingSlots only: the decoder's trunk reads only
 *                               the shared part of z_path, and each finding's slot draws through its own additive
 *                               layer on the image's logits ({@link FindingLayers}), so slot k is the only route by
 *                               which the code can draw finding k (models saved before this field load as false).
 *                               Opt-in, off in every shipped spec: bench/generator/RESULTS.md, "Finding layers"
 * @param renderedFindingWeight  0: off (as before); w &gt; 0, with slotSwaps only: the phantom's render of each slot
 *                               swap (A with B's finding k added) is also encoded, and the finding head must read
 *                               A's findings plus k from that code (plain BCE: the lent findings are balanced
 *                               already) at weight w. Each rare finding then reaches the encoder on new anatomies
 *                               every step, not only on the few training studies that show it (models saved before
 *                               this field load as 0). Phantom only, like the slot swaps. Opt-in, set only in
 *                               specs/quick-phantom-power-rendered.yaml and its -3200 twin: at 800 steps it lifts
 *                               effusion, not the small findings; at 3,200 the encoder also reads mass and
 *                               pneumothorax (bench/disentangle/RESULTS.md, "The encoder's reading of rare
 *                               findings"; bench/evaluation/RESULTS.md)
 * @param slotChangeWeight       0: off (as before); w &gt; 0, with slotSwaps only: each slot swap's change, its decode
 *                               minus the anatomy study's own reconstruction (the Δ a residual counterfactual adds),
 *                               is compared with the phantom's change (the render with the lent finding minus the
 *                               study's image): mean |Δ − Δ_true| where the render changes plus the same mean
 *                               everywhere else, so drawing the finding and leaving the rest alone weigh alike however
 *                               small the finding (weight w; models saved before this field load as 0). Phantom only.
 *                               Opt-in, set only in bench/generator/slot-change-3200.yaml: at 10 it raised identity SSIM
 *                               by 0.01-0.05 and the judge's effectiveness in three seeds, and left the excess variation
 *                               between samples (bench/generator/RESULTS.md, "The slot-change term")
 * @param renderedIdentityWeight 0: off (as before); w &gt; 0, with slotSwaps only: the identity code of each slot swap's
 *                               render (A with B's finding k added) must stay A's own: w × ‖z_id(render) − z_id(A)‖²
 *                               / ‖z_id(A)‖² (A's code a fixed target, the ratio so the encoder cannot shrink z_id to
 *                               pay less). The spatial identity map otherwise carries a local finding itself, and a
 *                               counterfactual, which keeps the source's identity and moves only the finding's slot,
 *                               then draws it faintly (models saved before this field load as 0). Phantom only, like
 *                               the slot swaps. Opt-in, set only in bench/generator/rendered-identity-3200.yaml: at 100
 *                               it halved how far a finding moves z_id, but the decoder drew the finding from the
 *                               smaller change and the slot drew less (mass 0.27 → 0.08 of the phantom's change, the
 *                               judge's effectiveness 0.807 → 0.693; bench/generator/RESULTS.md, "Where the finding
 *                               goes")
 * @param renderedIdentitySwapWeight 0: off (as before); w &gt; 0, with slotSwaps only: the identity code of each slot
 *                               swap's render (A with B's finding k added) decoded with A's own pathology code must
 *                               give A's own reconstruction (held fixed): the mean |difference| where the render
 *                               differs from A plus the mean everywhere else, at weight w. Whatever part of the lent
 *                               finding z_id holds, the decoder must not draw it from there, so only slot k can
 *                               draw k (models saved before this field load as 0). Phantom only, like the slot swaps.
 *                               Opt-in, in no shipped spec: a paired 800-step check closed the z_id route (a mass drawn
 *                               by the autoencoder 0.67 → 0.24 of the phantom's change) and strengthened the slot of
 *                               the large findings, not the mass's at 800 steps; the full 3,200-step run left the slot
 *                               no stronger than without the term, so the reconstruction lost the small findings
 *                               (bench/generator/RESULTS.md, "Where the finding goes")
 */
public record DisentanglerConfig(
        int baseWidth,
        int downsamplings,
        int idChannels,
        int pathDim,
        int headHidden,
        int steps,
        int batchSize,
        int pairsPerKind,
        double learningRate,
        long seed,
        boolean groupSupervision,
        double pixelWeight,
        double ssimWeight,
        double klWeight,
        double identitySwapWeight,
        double pathologySwapWeight,
        double auxWeight,
        double adversarialWeight,
        double reversalLambda,
        double dependenceWeight,
        int checkpointInterval,
        double divergenceFactor,
        int divergenceWindow,
        String device,
        int evalPairs,
        int gridIdentities,
        int gridPathologies,
        boolean runAblation,
        int cycleSwaps,
        double cycleWeight,
        double cycleIdentityWeight,
        boolean spatialProbe,
        boolean pathologyEncoder,
        String learningRateSchedule,
        int pathGrid,
        double findingPositiveWeight,
        boolean identityPairsByFinding,
        double findingBalancedShare,
        double findingMaskWeight,
        int decoderMapGrid,
        int exactSwaps,
        double exactSwapWeight,
        int augmentShift,
        int findingSlots,
        int slotSwaps,
        double slotSwapWeight,
        boolean findingLayers,
        double renderedFindingWeight,
        double slotChangeWeight,
        double renderedIdentityWeight,
        double renderedIdentitySwapWeight) {

    /** Channels of the map the decoder projects a vector z_path to ({@link #decoderMapGrid()}). */
    public static final int DECODER_MAP_CHANNELS = 8;

    /** The largest batch shift: an eighth of the smallest image (64 px) keeps every finding in its zone. */
    public static final int MAX_AUGMENT_SHIFT = 8;

    public static final String CONSTANT = "constant";
    public static final String COSINE = "cosine";
    private static final List<String> SCHEDULES = List.of(CONSTANT, COSINE);

    /**
     * The quick profile: 64 px phantom on two CPU cores, a few minutes. bench/disentangle/RESULTS.md
     * records why: z_path's own encoder, 8 re-encoded cross swaps judged by the frozen finding head
     * (weight 1.5), finding head weight 5, identity swap 0.3 (same-patient studies differ far more in
     * acquisition than in findings), no dependence penalty (it pushed the findings out of z_path while
     * z_id still held them), the adversary on the spatial z_id; 800 steps with a cosine learning-rate
     * decay (reconstruction SSIM 0.900 → 0.923 on the demo's data against a constant rate). No ablation phase:
     * training without group supervision as well doubled the demo's longest stage (224 of 430 s, the demo 732 s
     * on 2 cores, bench/pipeline/RESULTS.md run E); {@code causalcxr ablate} trains it over several seeds.
     */
    public static DisentanglerConfig quick() {
        return new DisentanglerConfig(
                16, 2, 8, 16, 64, 800, 24, 4, 2e-3, 42L, true, 1.0, 1.0, 1e-2, 0.3, 1.0, 5.0, 0.1, 1.0, 0.0, 100, 20.0,
                50, "cpu", 200, 6, 6, false, 8, 1.5, 0.1, true, true, COSINE, 0, 0.0, false, 0.0, 0.0, 0, 0, 0.0, 0, 0,
                0, 0.0, false, 0.0, 0.0, 0.0, 0.0);
    }

    /** A tiny configuration for unit tests (few channels, few steps). */
    public static DisentanglerConfig tiny() {
        return new DisentanglerConfig(
                4, 2, 4, 4, 8, 4, 8, 2, 1e-3, 7L, true, 1.0, 1.0, 1e-3, 1.0, 1.0, 0.1, 0.1, 1.0, 0.05, 2, 20.0, 50,
                "cpu", 8, 2, 2, false, 0, 0.0, 0.0, false, false, CONSTANT, 0, 0.0, false, 0.0, 0.0, 0, 0, 0.0, 0, 0, 0,
                0.0, false, 0.0, 0.0, 0.0, 0.0);
    }

    public DisentanglerConfig withSteps(int n) {
        return toBuilder().steps(n).build();
    }

    public DisentanglerConfig withGroupSupervision(boolean on) {
        return toBuilder().groupSupervision(on).build();
    }

    public DisentanglerConfig withLearningRate(double lr) {
        return toBuilder().learningRate(lr).build();
    }

    public DisentanglerConfig withCheckpointInterval(int every) {
        return toBuilder().checkpointInterval(every).build();
    }

    public DisentanglerConfig withDivergence(double factor, int window) {
        return toBuilder().divergenceFactor(factor).divergenceWindow(window).build();
    }

    public DisentanglerConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public DisentanglerConfig withAblation(boolean run) {
        return toBuilder().runAblation(run).build();
    }

    public DisentanglerConfig withCycle(int swaps, double weight, double identityWeight) {
        return toBuilder()
                .cycleSwaps(swaps)
                .cycleWeight(weight)
                .cycleIdentityWeight(identityWeight)
                .build();
    }

    public DisentanglerConfig withSpatialProbe(boolean on) {
        return toBuilder().spatialProbe(on).build();
    }

    public DisentanglerConfig withPathologyEncoder(boolean own) {
        return toBuilder().pathologyEncoder(own).build();
    }

    public DisentanglerConfig withLearningRateSchedule(String schedule) {
        return toBuilder().learningRateSchedule(schedule).build();
    }

    /** A builder holding this config's values: change some fields, {@code build()} a new config. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.baseWidth = baseWidth;
        b.downsamplings = downsamplings;
        b.idChannels = idChannels;
        b.pathDim = pathDim;
        b.headHidden = headHidden;
        b.steps = steps;
        b.batchSize = batchSize;
        b.pairsPerKind = pairsPerKind;
        b.learningRate = learningRate;
        b.seed = seed;
        b.groupSupervision = groupSupervision;
        b.pixelWeight = pixelWeight;
        b.ssimWeight = ssimWeight;
        b.klWeight = klWeight;
        b.identitySwapWeight = identitySwapWeight;
        b.pathologySwapWeight = pathologySwapWeight;
        b.auxWeight = auxWeight;
        b.adversarialWeight = adversarialWeight;
        b.reversalLambda = reversalLambda;
        b.dependenceWeight = dependenceWeight;
        b.checkpointInterval = checkpointInterval;
        b.divergenceFactor = divergenceFactor;
        b.divergenceWindow = divergenceWindow;
        b.device = device;
        b.evalPairs = evalPairs;
        b.gridIdentities = gridIdentities;
        b.gridPathologies = gridPathologies;
        b.runAblation = runAblation;
        b.cycleSwaps = cycleSwaps;
        b.cycleWeight = cycleWeight;
        b.cycleIdentityWeight = cycleIdentityWeight;
        b.spatialProbe = spatialProbe;
        b.pathologyEncoder = pathologyEncoder;
        b.learningRateSchedule = learningRateSchedule;
        b.pathGrid = pathGrid;
        b.findingPositiveWeight = findingPositiveWeight;
        b.identityPairsByFinding = identityPairsByFinding;
        b.findingBalancedShare = findingBalancedShare;
        b.findingMaskWeight = findingMaskWeight;
        b.decoderMapGrid = decoderMapGrid;
        b.exactSwaps = exactSwaps;
        b.exactSwapWeight = exactSwapWeight;
        b.augmentShift = augmentShift;
        b.findingSlots = findingSlots;
        b.slotSwaps = slotSwaps;
        b.slotSwapWeight = slotSwapWeight;
        b.findingLayers = findingLayers;
        b.renderedFindingWeight = renderedFindingWeight;
        b.slotChangeWeight = slotChangeWeight;
        b.renderedIdentityWeight = renderedIdentityWeight;
        b.renderedIdentitySwapWeight = renderedIdentitySwapWeight;
        return b;
    }

    /** Field-by-field construction; every field starts at the Java default, so start from {@link #toBuilder()}. */
    public static final class Builder {
        private int baseWidth;
        private int downsamplings;
        private int idChannels;
        private int pathDim;
        private int headHidden;
        private int steps;
        private int batchSize;
        private int pairsPerKind;
        private double learningRate;
        private long seed;
        private boolean groupSupervision;
        private double pixelWeight;
        private double ssimWeight;
        private double klWeight;
        private double identitySwapWeight;
        private double pathologySwapWeight;
        private double auxWeight;
        private double adversarialWeight;
        private double reversalLambda;
        private double dependenceWeight;
        private int checkpointInterval;
        private double divergenceFactor;
        private int divergenceWindow;
        private String device;
        private int evalPairs;
        private int gridIdentities;
        private int gridPathologies;
        private boolean runAblation;
        private int cycleSwaps;
        private double cycleWeight;
        private double cycleIdentityWeight;
        private boolean spatialProbe;
        private boolean pathologyEncoder;
        private String learningRateSchedule;
        private int pathGrid;
        private double findingPositiveWeight;
        private boolean identityPairsByFinding;
        private double findingBalancedShare;
        private double findingMaskWeight;
        private int decoderMapGrid;
        private int exactSwaps;
        private double exactSwapWeight;
        private int augmentShift;
        private int findingSlots;
        private int slotSwaps;
        private double slotSwapWeight;
        private boolean findingLayers;
        private double renderedFindingWeight;
        private double slotChangeWeight;
        private double renderedIdentityWeight;
        private double renderedIdentitySwapWeight;

        private Builder() {}

        public Builder baseWidth(int value) {
            this.baseWidth = value;
            return this;
        }

        public Builder downsamplings(int value) {
            this.downsamplings = value;
            return this;
        }

        public Builder idChannels(int value) {
            this.idChannels = value;
            return this;
        }

        public Builder pathDim(int value) {
            this.pathDim = value;
            return this;
        }

        public Builder headHidden(int value) {
            this.headHidden = value;
            return this;
        }

        public Builder steps(int value) {
            this.steps = value;
            return this;
        }

        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        public Builder pairsPerKind(int value) {
            this.pairsPerKind = value;
            return this;
        }

        public Builder learningRate(double value) {
            this.learningRate = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        public Builder groupSupervision(boolean value) {
            this.groupSupervision = value;
            return this;
        }

        public Builder pixelWeight(double value) {
            this.pixelWeight = value;
            return this;
        }

        public Builder ssimWeight(double value) {
            this.ssimWeight = value;
            return this;
        }

        public Builder klWeight(double value) {
            this.klWeight = value;
            return this;
        }

        public Builder identitySwapWeight(double value) {
            this.identitySwapWeight = value;
            return this;
        }

        public Builder pathologySwapWeight(double value) {
            this.pathologySwapWeight = value;
            return this;
        }

        public Builder auxWeight(double value) {
            this.auxWeight = value;
            return this;
        }

        public Builder adversarialWeight(double value) {
            this.adversarialWeight = value;
            return this;
        }

        public Builder reversalLambda(double value) {
            this.reversalLambda = value;
            return this;
        }

        public Builder dependenceWeight(double value) {
            this.dependenceWeight = value;
            return this;
        }

        public Builder checkpointInterval(int value) {
            this.checkpointInterval = value;
            return this;
        }

        public Builder divergenceFactor(double value) {
            this.divergenceFactor = value;
            return this;
        }

        public Builder divergenceWindow(int value) {
            this.divergenceWindow = value;
            return this;
        }

        public Builder device(String value) {
            this.device = value;
            return this;
        }

        public Builder evalPairs(int value) {
            this.evalPairs = value;
            return this;
        }

        public Builder gridIdentities(int value) {
            this.gridIdentities = value;
            return this;
        }

        public Builder gridPathologies(int value) {
            this.gridPathologies = value;
            return this;
        }

        public Builder runAblation(boolean value) {
            this.runAblation = value;
            return this;
        }

        public Builder cycleSwaps(int value) {
            this.cycleSwaps = value;
            return this;
        }

        public Builder cycleWeight(double value) {
            this.cycleWeight = value;
            return this;
        }

        public Builder cycleIdentityWeight(double value) {
            this.cycleIdentityWeight = value;
            return this;
        }

        public Builder spatialProbe(boolean value) {
            this.spatialProbe = value;
            return this;
        }

        public Builder pathologyEncoder(boolean value) {
            this.pathologyEncoder = value;
            return this;
        }

        public Builder learningRateSchedule(String value) {
            this.learningRateSchedule = value;
            return this;
        }

        public Builder pathGrid(int value) {
            this.pathGrid = value;
            return this;
        }

        public Builder findingPositiveWeight(double value) {
            this.findingPositiveWeight = value;
            return this;
        }

        public Builder identityPairsByFinding(boolean value) {
            this.identityPairsByFinding = value;
            return this;
        }

        public Builder findingBalancedShare(double value) {
            this.findingBalancedShare = value;
            return this;
        }

        public Builder findingMaskWeight(double value) {
            this.findingMaskWeight = value;
            return this;
        }

        public Builder decoderMapGrid(int value) {
            this.decoderMapGrid = value;
            return this;
        }

        public Builder exactSwaps(int value) {
            this.exactSwaps = value;
            return this;
        }

        public Builder exactSwapWeight(double value) {
            this.exactSwapWeight = value;
            return this;
        }

        public Builder augmentShift(int value) {
            this.augmentShift = value;
            return this;
        }

        public Builder findingSlots(int value) {
            this.findingSlots = value;
            return this;
        }

        public Builder slotSwaps(int value) {
            this.slotSwaps = value;
            return this;
        }

        public Builder slotSwapWeight(double value) {
            this.slotSwapWeight = value;
            return this;
        }

        public Builder findingLayers(boolean value) {
            this.findingLayers = value;
            return this;
        }

        public Builder renderedFindingWeight(double value) {
            this.renderedFindingWeight = value;
            return this;
        }

        public Builder slotChangeWeight(double value) {
            this.slotChangeWeight = value;
            return this;
        }

        public Builder renderedIdentityWeight(double value) {
            this.renderedIdentityWeight = value;
            return this;
        }

        public Builder renderedIdentitySwapWeight(double value) {
            this.renderedIdentitySwapWeight = value;
            return this;
        }

        public DisentanglerConfig build() {
            return new DisentanglerConfig(
                    baseWidth,
                    downsamplings,
                    idChannels,
                    pathDim,
                    headHidden,
                    steps,
                    batchSize,
                    pairsPerKind,
                    learningRate,
                    seed,
                    groupSupervision,
                    pixelWeight,
                    ssimWeight,
                    klWeight,
                    identitySwapWeight,
                    pathologySwapWeight,
                    auxWeight,
                    adversarialWeight,
                    reversalLambda,
                    dependenceWeight,
                    checkpointInterval,
                    divergenceFactor,
                    divergenceWindow,
                    device,
                    evalPairs,
                    gridIdentities,
                    gridPathologies,
                    runAblation,
                    cycleSwaps,
                    cycleWeight,
                    cycleIdentityWeight,
                    spatialProbe,
                    pathologyEncoder,
                    learningRateSchedule,
                    pathGrid,
                    findingPositiveWeight,
                    identityPairsByFinding,
                    findingBalancedShare,
                    findingMaskWeight,
                    decoderMapGrid,
                    exactSwaps,
                    exactSwapWeight,
                    augmentShift,
                    findingSlots,
                    slotSwaps,
                    slotSwapWeight,
                    findingLayers,
                    renderedFindingWeight,
                    slotChangeWeight,
                    renderedIdentityWeight,
                    renderedIdentitySwapWeight);
        }
    }

    /**
     * Adam's step size for optimizer step {@code step} (0-based) of {@link #steps()}: constant, or a cosine
     * from learningRate at step 0 down to 0 after the last step (a missing schedule, as in models saved
     * before the field, is constant).
     */
    public double learningRateAt(long step) {
        if (!COSINE.equals(learningRateSchedule)) {
            return learningRate;
        }
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, steps) / steps));
    }

    /** The edge length an image must be a multiple of (the encoder halves it {@code downsamplings} times). */
    public int sizeMultiple() {
        return 1 << downsamplings;
    }

    /**
     * Every problem with this config; empty when valid. A check that compares a field with another (e.g. the swaps
     * with the batch size) is skipped while that other field is itself invalid, so that only what is wrong is named.
     */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        boolean batchOk = batchSize >= 1;
        boolean pathDimOk = pathDim >= 1;
        positive(p, "baseWidth", baseWidth);
        positive(p, "idChannels", idChannels);
        positive(p, "pathDim", pathDim);
        positive(p, "headHidden", headHidden);
        positive(p, "steps", steps);
        positive(p, "batchSize", batchSize);
        positive(p, "checkpointInterval", checkpointInterval);
        positive(p, "divergenceWindow", divergenceWindow);
        positive(p, "evalPairs", evalPairs);
        positive(p, "gridIdentities", gridIdentities);
        positive(p, "gridPathologies", gridPathologies);
        if (downsamplings < 1 || downsamplings > 5) {
            p.add("downsamplings: must be in 1..5, was " + downsamplings);
        }
        if (pairsPerKind < 0 || (batchOk && 4 * pairsPerKind > batchSize)) {
            p.add("pairsPerKind: must be >= 0 with 4 × pairsPerKind <= batchSize (" + batchSize + "), was "
                    + pairsPerKind);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            p.add("learningRate: must be a positive number, was " + learningRate);
        }
        if (learningRateSchedule != null && !SCHEDULES.contains(learningRateSchedule)) {
            p.add("learningRateSchedule: must be one of " + SCHEDULES + ", was " + learningRateSchedule);
        }
        if (pathGrid < 0
                || (pathGrid > 0
                        && (Integer.bitCount(pathGrid) != 1 || (pathDimOk && pathDim % (pathGrid * pathGrid) != 0)))) {
            p.add("pathGrid: must be 0 (a vector z_path) or a power of two g with pathDim a multiple of g² (pathDim "
                    + pathDim + "), was " + pathGrid);
        }
        if (pathGrid > 0 && !pathologyEncoder) {
            p.add("pathGrid: a pathology map needs pathologyEncoder (its own encoder), which is off");
        }
        if (!(findingBalancedShare >= 0 && findingBalancedShare <= 1)) {
            p.add("findingBalancedShare: must be in [0, 1], was " + findingBalancedShare);
        }
        if (findingBalancedShare > 0 && !identityPairsByFinding) {
            p.add("findingBalancedShare: balanced slots need identityPairsByFinding (the sampler's findings), which"
                    + " is off");
        }
        if (decoderMapGrid < 0 || (decoderMapGrid > 0 && Integer.bitCount(decoderMapGrid) != 1)) {
            p.add("decoderMapGrid: must be 0 (off) or a power of two, was " + decoderMapGrid);
        }
        if (decoderMapGrid > 0 && pathGrid > 0) {
            p.add("decoderMapGrid: the decoder projects a vector z_path to a map; with pathGrid " + pathGrid
                    + " z_path is a map already");
        }
        withinBatch(p, "cycleSwaps", cycleSwaps);
        withinBatch(p, "exactSwaps", exactSwaps);
        if (augmentShift < 0 || augmentShift > MAX_AUGMENT_SHIFT) {
            p.add("augmentShift: must be in 0.." + MAX_AUGMENT_SHIFT + " pixels, was " + augmentShift);
        }
        if (findingSlots < 0 || (pathDimOk && findingSlots > pathDim)) {
            p.add("findingSlots: must be in 0.." + pathDim + " (pathDim), was " + findingSlots);
        } else if (findingSlots > 0 && pathGrid > 0) {
            p.add("findingSlots: needs a vector z_path (pathGrid 0), pathGrid was " + pathGrid);
        }
        if (withinBatch(p, "slotSwaps", slotSwaps) && slotSwaps > 0 && findingSlots == 0) {
            p.add("slotSwaps: swap finding slots, which are off (findingSlots 0)");
        }
        if (findingLayers && findingSlots == 0) {
            p.add("findingLayers: draw each finding from its slot, and finding slots are off (findingSlots 0)");
        }
        if (renderedFindingWeight > 0 && slotSwaps == 0) {
            p.add("renderedFindingWeight: reads the slot swaps' renders, and slot swaps are off (slotSwaps 0)");
        }
        if (slotChangeWeight > 0 && slotSwaps == 0) {
            p.add("slotChangeWeight: compares the slot swaps' change with their renders', and slot swaps are off"
                    + " (slotSwaps 0)");
        }
        if (renderedIdentityWeight > 0 && slotSwaps == 0) {
            p.add("renderedIdentityWeight: holds the slot swaps' renders' identity codes, and slot swaps are off"
                    + " (slotSwaps 0)");
        }
        if (renderedIdentitySwapWeight > 0 && slotSwaps == 0) {
            p.add("renderedIdentitySwapWeight: decodes the slot swaps' renders' identity codes, and slot swaps are off"
                    + " (slotSwaps 0)");
        }
        double[] weights = {
            pixelWeight,
            ssimWeight,
            klWeight,
            identitySwapWeight,
            pathologySwapWeight,
            auxWeight,
            adversarialWeight,
            reversalLambda,
            dependenceWeight,
            cycleWeight,
            cycleIdentityWeight,
            findingPositiveWeight,
            findingMaskWeight,
            exactSwapWeight,
            slotSwapWeight,
            renderedFindingWeight,
            slotChangeWeight,
            renderedIdentityWeight,
            renderedIdentitySwapWeight
        };
        String[] names = {
            "pixelWeight",
            "ssimWeight",
            "klWeight",
            "identitySwapWeight",
            "pathologySwapWeight",
            "auxWeight",
            "adversarialWeight",
            "reversalLambda",
            "dependenceWeight",
            "cycleWeight",
            "cycleIdentityWeight",
            "findingPositiveWeight",
            "findingMaskWeight",
            "exactSwapWeight",
            "slotSwapWeight",
            "renderedFindingWeight",
            "slotChangeWeight",
            "renderedIdentityWeight",
            "renderedIdentitySwapWeight"
        };
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                p.add(names[i] + ": must be a finite number >= 0, was " + weights[i]);
            }
        }
        if (!(divergenceFactor > 1) || Double.isInfinite(divergenceFactor)) {
            p.add("divergenceFactor: must be > 1, was " + divergenceFactor);
        }
        if (device == null || device.isBlank()) {
            p.add("device: required (" + DeviceName.FORMS + ")");
        } else if (DeviceName.problem(device) != null) {
            p.add("device: " + DeviceName.problem(device));
        }
        return p;
    }

    /** Returns this config, or throws listing every problem. */
    public DisentanglerConfig validated() {
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("invalid disentangler config: " + String.join("; ", p));
        }
        return this;
    }

    /** Whether a per-batch count is in 0..batchSize (only its sign is checked while the batch size is invalid). */
    private boolean withinBatch(List<String> p, String name, int v) {
        if (v < 0 || (batchSize >= 1 && v > batchSize)) {
            p.add(name + ": must be " + (batchSize >= 1 ? "in 0.." + batchSize + " (the batch size)" : ">= 0")
                    + ", was " + v);
            return false;
        }
        return true;
    }

    private static void positive(List<String> p, String name, int v) {
        if (v < 1) {
            p.add(name + ": must be >= 1, was " + v);
        }
    }
}
