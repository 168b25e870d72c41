package dev.causalcxr.core.disentangle;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.engine.Adam;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.RowSelection;
import dev.causalcxr.core.engine.ScalarOps;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.random.SplitMix64;
import dev.causalcxr.core.stage.StageContext;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link DisentanglerModel} on the training split of a {@link DisentanglerDataset}:
 * group batches, one decode pass for reconstructions and code swaps, Adam, checkpoints through the
 * {@link StageContext} and divergence detection.
 *
 * <p>A checkpoint is one file: phase name, step, sampler position, the recent-loss window of the
 * divergence check, an opaque payload of the caller, network parameters and Adam's moments and step
 * count. Restoring it and training on reproduces the uninterrupted run: the reparameterization noise
 * of step s is a pure function of (seed, s), and everything else that changes is in the file.
 */
public final class DisentanglerTrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DisentanglerTrainer.class);
    private static final String MAGIC = "CXRDCKPT";
    private static final int FORMAT_VERSION = 1;
    /** Steps between progress reports (the losses are logged every step). */
    private static final int PROGRESS_EVERY = 10;

    /**
     * The loss terms of one step (unweighted, except {@code total}); {@code cycle} is the finding BCE
     * of the re-encoded cross swaps and {@code cycleIdentity} their z_id drift (0 when cycles are off).
     */
    public record Losses(
            double total,
            double reconstruction,
            double identitySwap,
            double pathologySwap,
            double kl,
            double finding,
            double adversarial,
            double dependence,
            double cycle,
            double cycleIdentity,
            double exactSwap,
            double slotSwap,
            double renderedFinding,
            double slotChange,
            double renderedIdentity,
            double renderedIdentitySwap) {}

    /** What a training run did. */
    public record Result(long steps, long resumedFromStep, double seconds, double meanStepMillis, Losses last) {}

    /** The header of a checkpoint file: which phase wrote it, at which step, and the caller's payload. */
    public record CheckpointHeader(String phase, long step, byte[] payload) {}

    private final DisentanglerModel model;
    private final DisentanglerConfig cfg;
    private final DisentanglerDataset data;
    private final StageContext ctx;
    private final String phase;
    private final long stepOffset;
    private final String metricPrefix;
    private final int[] train;
    private final float[][] findingTargets;
    /** Per training study, its findings' mask (size × size, 1 inside) where findingMaskWeight is on and the
     * study has phantom ground truth; else null. */
    private final float[][] findingMasks;
    /** Per training study, the phantom's render of it with its own findings, made when first needed: the mask term
     * reads its mask once, the slot-change term subtracts its image at every slot swap. */
    private final DisentanglerDataset.Counterfactual[] ownRenders;
    /** Per finding, the weight of a positive in the finding head's BCE (all 1 without findingPositiveWeight). */
    private final float[] positiveWeights;

    private final GroupBatchSampler sampler;
    private final Adam adam;
    private final NDManager constants;
    private final NDArray ssimWindow;
    private final ArrayDeque<Double> recentLosses = new ArrayDeque<>();
    private final Engine engine;
    private byte[] payload = new byte[0];
    private long step;
    private long skippedUpdates;
    private int skippedInARow;
    private long resumedFrom;
    private long lastCheckpointStep = -1;

    /**
     * @param phase        name stored in checkpoints (a stage may train several models in turn)
     * @param stepOffset   added to this trainer's steps when reporting checkpoints (global step)
     * @param metricPrefix prefix of the per-step metric keys
     */
    public DisentanglerTrainer(
            DisentanglerModel model,
            DisentanglerDataset data,
            StageContext ctx,
            String phase,
            long stepOffset,
            String metricPrefix) {
        this.model = model;
        this.cfg = model.config();
        this.data = data;
        this.ctx = ctx;
        this.phase = phase;
        this.stepOffset = stepOffset;
        this.metricPrefix = metricPrefix;
        this.engine = Engines.pytorch();
        train = data.indices(Split.TRAIN);
        if (train.length == 0) {
            throw new IllegalArgumentException("the data set has no training studies");
        }
        int[] patients = new int[train.length];
        int[] tuples = new int[train.length];
        findingTargets = new float[train.length][];
        for (int i = 0; i < train.length; i++) {
            DisentanglerDataset.Study s = data.studies().get(train[i]);
            patients[i] = s.patient();
            tuples[i] = data.tupleId(s);
            findingTargets[i] = data.multiHot(s);
        }
        ownRenders = new DisentanglerDataset.Counterfactual[train.length];
        findingMasks = new float[train.length][];
        if (cfg.findingMaskWeight() > 0) {
            for (int i = 0; i < train.length; i++) {
                findingMasks[i] = findingMask(i);
            }
        }
        positiveWeights =
                positiveWeights(findingTargets, Math.max(1, model.net().findingCount()), cfg.findingPositiveWeight());
        sampler = new GroupBatchSampler(
                patients,
                tuples,
                cfg.identityPairsByFinding() ? presentFindings(findingTargets) : null,
                cfg.findingBalancedShare(),
                cfg.batchSize(),
                cfg.pairsPerKind(),
                cfg.seed());
        LOG.info(
                "{}: {} training studies, {} identity anchors, {} shared finding tuples",
                phase,
                train.length,
                sampler.identityAnchorCount(),
                sampler.pathologyGroupCount());
        Map<String, NDArray> weights = new LinkedHashMap<>();
        model.parameters().forEach(p -> weights.put(p.getKey(), p.getValue().getArray()));
        adam = new Adam(model.manager(), weights);
        constants = model.manager().newSubManager();
        ssimWindow = DifferentiableSsim.window(constants);
    }

    /** Bytes the caller wants carried in every checkpoint (for example results of an earlier phase). */
    public void setPayload(byte[] bytes) {
        payload = bytes.clone();
    }

    public long step() {
        return step;
    }

    public GroupBatchSampler sampler() {
        return sampler;
    }

    /** Reads only the header of a checkpoint file. */
    public static CheckpointHeader readHeader(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            return readHeader(in, file);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file)));
    }

    private static CheckpointHeader readHeader(DataInputStream in, Path file) throws IOException {
        byte[] magic = new byte[MAGIC.length()];
        in.readFully(magic);
        if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
            throw new IOException(file + " is not a disentangler checkpoint");
        }
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException(file + ": unsupported checkpoint version " + version);
        }
        String phase = in.readUTF();
        long step = in.readLong();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new CheckpointHeader(phase, step, payload);
    }

    /** Continues from a checkpoint this phase wrote. */
    public void restore(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            CheckpointHeader h = readHeader(in, file);
            if (!h.phase().equals(phase)) {
                throw new IOException("checkpoint belongs to phase " + h.phase() + ", not " + phase);
            }
            payload = h.payload();
            GroupBatchSampler.Position position =
                    new GroupBatchSampler.Position(in.readLong(), in.readInt(), in.readLong());
            if (sampler.fits(position)) {
                sampler.restore(position);
            } else {
                // a retrain's warm start on other data (fewer training studies than the checkpoint's pass had
                // reached): the weights and Adam's state continue, the sampler starts its own first pass
                LOG.info(
                        "{}: the checkpoint's sampler position (study {} of a pass) is not one of these {} training"
                                + " studies: a warm start on other data; the sampler starts a new pass",
                        phase,
                        position.cursor(),
                        sampler.studyCount());
            }
            int window = in.readInt();
            recentLosses.clear();
            for (int i = 0; i < window; i++) {
                recentLosses.add(in.readDouble());
            }
            model.readParameters(in);
            readAdam(in);
            step = h.step();
            resumedFrom = step;
            lastCheckpointStep = step;
        }
        LOG.info("{}: resumed at step {}", phase, step);
    }

    /** Writes this trainer's full state to {@code file}. */
    public void writeCheckpoint(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.write(MAGIC.getBytes(StandardCharsets.US_ASCII));
            out.writeInt(FORMAT_VERSION);
            out.writeUTF(phase);
            out.writeLong(step);
            out.writeInt(payload.length);
            out.write(payload);
            GroupBatchSampler.Position p = sampler.position();
            out.writeLong(p.epoch());
            out.writeInt(p.cursor());
            out.writeLong(p.rngState());
            out.writeInt(recentLosses.size());
            for (double l : recentLosses) {
                out.writeDouble(l);
            }
            model.writeParameters(out);
            writeAdam(out);
        }
    }

    /** Adam's step count and moments, in the weights' order. */
    private void writeAdam(DataOutputStream out) throws IOException {
        out.writeLong(adam.steps());
        List<String> names = new ArrayList<>(adam.firstMoments().keySet());
        ParameterIo.write(out, names, new ArrayList<>(adam.firstMoments().values()));
        ParameterIo.write(out, names, new ArrayList<>(adam.secondMoments().values()));
    }

    private void readAdam(DataInputStream in) throws IOException {
        long steps = in.readLong();
        List<String> names = new ArrayList<>(adam.firstMoments().keySet());
        List<Shape> shapes =
                adam.firstMoments().values().stream().map(NDArray::getShape).toList();
        Map<String, float[]> first = ParameterIo.readValues(in, names, shapes);
        Map<String, float[]> second = ParameterIo.readValues(in, names, shapes);
        adam.restore(first, second, steps);
    }

    /**
     * Trains until {@code cfg.steps()}, checkpointing every {@code checkpointInterval} steps and at the end.
     *
     * @throws TrainingDivergedException when the loss is NaN/Inf or explodes; nothing is checkpointed
     *                                   after the last good step
     * @throws CancellationException     when the context reports cancellation (after a checkpoint)
     */
    public Result train() {
        long t0 = System.nanoTime();
        long startStep = step;
        Losses last = null;
        while (step < cfg.steps()) {
            if (ctx.cancelled()) {
                checkpoint();
                throw new CancellationException(phase + " cancelled at step " + step);
            }
            GroupBatchSampler.Batch batch = sampler.next();
            Losses losses = forwardBackward(batch, step);
            checkDivergence(losses);
            updateOrSkip();
            step++;
            last = losses;
            logStep(losses);
            if (step % cfg.checkpointInterval() == 0 || step == cfg.steps()) {
                checkpoint();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long done = step - startStep;
        return new Result(step, resumedFrom, seconds, done == 0 ? 0 : seconds * 1000 / done, last);
    }

    private void logStep(Losses l) {
        long global = stepOffset + step;
        ctx.logMetric(metricPrefix + "loss_total", l.total(), global);
        ctx.logMetric(metricPrefix + "loss_reconstruction", l.reconstruction(), global);
        ctx.logMetric(metricPrefix + "loss_identity_swap", l.identitySwap(), global);
        ctx.logMetric(metricPrefix + "loss_pathology_swap", l.pathologySwap(), global);
        ctx.logMetric(metricPrefix + "loss_kl", l.kl(), global);
        ctx.logMetric(metricPrefix + "loss_finding_head", l.finding(), global);
        ctx.logMetric(metricPrefix + "loss_adversarial_probe", l.adversarial(), global);
        ctx.logMetric(metricPrefix + "loss_dependence", l.dependence(), global);
        if (cfg.cycleSwaps() > 0) {
            ctx.logMetric(metricPrefix + "loss_cycle_finding", l.cycle(), global);
            ctx.logMetric(metricPrefix + "loss_cycle_identity", l.cycleIdentity(), global);
        }
        if (cfg.exactSwaps() > 0) {
            ctx.logMetric(metricPrefix + "loss_exact_swap", l.exactSwap(), global);
        }
        if (cfg.slotSwaps() > 0) {
            ctx.logMetric(metricPrefix + "loss_slot_swap", l.slotSwap(), global);
        }
        if (cfg.renderedFindingWeight() > 0) {
            ctx.logMetric(metricPrefix + "loss_rendered_finding", l.renderedFinding(), global);
        }
        if (cfg.slotChangeWeight() > 0) {
            ctx.logMetric(metricPrefix + "loss_slot_change", l.slotChange(), global);
        }
        if (cfg.renderedIdentityWeight() > 0) {
            ctx.logMetric(metricPrefix + "loss_rendered_identity", l.renderedIdentity(), global);
        }
        if (cfg.renderedIdentitySwapWeight() > 0) {
            ctx.logMetric(metricPrefix + "loss_rendered_identity_swap", l.renderedIdentitySwap(), global);
        }
        if (step % PROGRESS_EVERY == 0 || step == cfg.steps() || step == 1) {
            ctx.progress(Math.min(1.0, (double) step / cfg.steps()), phase + " step " + step + "/" + cfg.steps());
        }
    }

    private void checkpoint() {
        try {
            Path file = ctx.workDir().resolve("disentangler-" + phase + "-" + step + ".ckpt");
            writeCheckpoint(file);
            ctx.saveCheckpoint(stepOffset + step, file);
            lastCheckpointStep = step;
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint at step " + step, e);
        }
    }

    /**
     * Applies the accumulated gradients, or drops them when any is not finite at a finite loss (an overflow in a
     * backward pass), as mixed-precision trainers drop theirs, rather than writing NaN into the weights; {@link
     * DisentanglerConfig#divergenceWindow()} such steps in a row are a divergence. (The NaN gradients first seen with
     * finding layers were a use-after-free, since fixed: bench/generator/RESULTS.md; the guard stays.)
     */
    void updateOrSkip() {
        List<String> nonFinite = adam.nonFiniteGradients();
        if (nonFinite.isEmpty()) {
            adam.update(cfg.learningRateAt(step));
            skippedInARow = 0;
        } else {
            skipUpdate(nonFinite);
        }
    }

    private void skipUpdate(List<String> nonFinite) {
        adam.skip();
        skippedUpdates++;
        skippedInARow++;
        String where = nonFinite.size() <= 3
                ? String.join(", ", nonFinite)
                : String.join(", ", nonFinite.subList(0, 3)) + " and " + (nonFinite.size() - 3) + " more";
        LOG.warn("{}: step {}: gradients not finite in {}; update skipped", phase, step + 1, where);
        ctx.logMetric(metricPrefix + "skipped_updates", skippedUpdates, stepOffset + step);
        if (skippedInARow >= cfg.divergenceWindow()) {
            throw diverged(
                    "gradients not finite for " + skippedInARow + " steps in a row (last in " + where + ")",
                    Double.NaN);
        }
    }

    private void checkDivergence(Losses losses) {
        double total = losses.total();
        if (!Double.isFinite(total)) {
            throw diverged("loss is " + total + " (not finite: " + nonFiniteTerms(losses) + ")", total);
        }
        if (recentLosses.size() >= cfg.divergenceWindow()) {
            double[] sorted = recentLosses.stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            double median = sorted[sorted.length / 2];
            if (total > cfg.divergenceFactor() * median) {
                throw diverged(
                        String.format(
                                java.util.Locale.ROOT,
                                "loss %.4g exceeds %.1f × running median %.4g",
                                total,
                                cfg.divergenceFactor(),
                                median),
                        total);
            }
            recentLosses.removeFirst();
        }
        recentLosses.addLast(total);
    }

    /** The names of the loss terms that are NaN or infinite, so a divergence says where it started. */
    static String nonFiniteTerms(Losses losses) {
        List<String> names = new ArrayList<>();
        for (java.lang.reflect.RecordComponent c : Losses.class.getRecordComponents()) {
            try {
                double v = (double) c.getAccessor().invoke(losses);
                if (!Double.isFinite(v) && !c.getName().equals("total")) {
                    names.add(c.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return names.isEmpty() ? "none of the terms" : String.join(", ", names);
    }

    private TrainingDivergedException diverged(String why, double total) {
        String where = lastCheckpointStep >= 0
                ? "the last good checkpoint is step " + (stepOffset + lastCheckpointStep)
                : "no checkpoint was written yet";
        LOG.error("{}: training diverged at step {}: {}; {}", phase, step + 1, why, where);
        return new TrainingDivergedException(
                phase + ": training diverged at step " + (step + 1) + ": " + why + "; " + where
                        + " (lower learningRate or raise divergenceFactor)",
                step + 1,
                total,
                lastCheckpointStep < 0 ? -1 : stepOffset + lastCheckpointStep);
    }

    /**
     * The decode plan of one batch: which z_id, which z_path (a batch row, or for a slot swap the row after the
     * batch where its composed code is appended), which target image (a batch row, or for an exact or slot swap
     * the row after the batch where its rendered target is appended), and each item's weight.
     */
    private record DecodePlan(
            long[] identitySource, long[] pathologySource, long[] target, float[] weight, int[] kind) {

        /** Positions of the items of one kind, in plan order. */
        long[] positions(int k) {
            return java.util.stream.IntStream.range(0, kind.length)
                    .filter(i -> kind[i] == k)
                    .mapToLong(i -> i)
                    .toArray();
        }
    }

    private static final int RECON = 0;
    private static final int IDENTITY_SWAP = 1;
    private static final int PATHOLOGY_SWAP = 2;
    private static final int CYCLE = 3;
    private static final int EXACT_SWAP = 4;
    private static final int SLOT_SWAP = 5;
    private static final int KINDS = 6;
    /** A rendered change smaller than this (on [0, 1]) counts as no change ({@link #changedPixels}). */
    static final float CHANGE_THRESHOLD = 0.01f;

    private static final long CYCLE_SALT = 0xC7C1E;
    private static final long EXACT_SALT = 0xE8AC7;
    private static final long SHIFT_SALT = 0x5A1F7;
    private static final long SLOT_SALT = 0x5107;

    /**
     * {@code count} cross swaps: (A, B) positions in the batch, different patients, preferring B whose finding
     * tuple differs from A's. A pure function of (seed, salt, step): resumable.
     */
    private int[][] crossPairs(GroupBatchSampler.Batch b, long stepIndex, long salt, int count) {
        int n = b.studies().length;
        int[][] pairs = new int[count][];
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(cfg.seed(), salt, stepIndex));
        int made = 0;
        for (int k = 0; k < pairs.length; k++) {
            int a = k % n;
            int fallback = -1;
            int chosen = -1;
            for (int attempt = 0; attempt < 16 && chosen < 0; attempt++) {
                int c = rng.nextInt(n);
                int sa = b.studies()[a];
                int sc = b.studies()[c];
                if (sampler.patientOf(sa) == sampler.patientOf(sc)) {
                    continue;
                }
                if (sampler.tupleOf(sa) != sampler.tupleOf(sc)) {
                    chosen = c;
                } else if (fallback < 0) {
                    fallback = c;
                }
            }
            int partner = chosen >= 0 ? chosen : fallback;
            if (partner >= 0) {
                pairs[made++] = new int[] {a, partner};
            }
        }
        return Arrays.copyOf(pairs, made);
    }

    /** Exact swaps: cross pairs of which both studies have phantom ground truth. */
    private int[][] exactPairs(GroupBatchSampler.Batch b, long stepIndex) {
        return Arrays.stream(crossPairs(b, stepIndex, EXACT_SALT, cfg.exactSwaps()))
                .filter(p -> data.studies().get(train[b.studies()[p[0]]]).hasGroundTruth()
                        && data.studies().get(train[b.studies()[p[1]]]).hasGroundTruth())
                .toArray(int[][]::new);
    }

    /**
     * Slot swaps: {a, b, k} with batch positions a and b of different patients, both with phantom ground truth,
     * and a vocabulary index k that b has (label and render) and a has not. k is drawn uniformly among the findings
     * the batch can lend, then b among its holders, so a rare finding is lent as often as a common one. A pure
     * function of (seed, step): resumable.
     */
    private int[][] slotPairs(GroupBatchSampler.Batch b, long stepIndex) {
        int n = b.studies().length;
        List<Finding> vocabulary = data.vocabulary();
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(cfg.seed(), SLOT_SALT, stepIndex));
        List<int[]> pairs = new ArrayList<>();
        for (int j = 0; j < cfg.slotSwaps(); j++) {
            int a = j % n;
            DisentanglerDataset.Study sa = data.studies().get(train[b.studies()[a]]);
            if (!sa.hasGroundTruth()) {
                continue;
            }
            // the findings this batch can lend to a, each with its holders
            Map<Integer, List<Integer>> lenders = new java.util.TreeMap<>();
            for (int c = 0; c < n; c++) {
                DisentanglerDataset.Study sc = data.studies().get(train[b.studies()[c]]);
                if (sampler.patientOf(b.studies()[a]) == sampler.patientOf(b.studies()[c]) || !sc.hasGroundTruth()) {
                    continue;
                }
                for (FindingMention m : sc.truthFindings()) {
                    int k = vocabulary.indexOf(m.finding());
                    if (k >= 0
                            && findingTargets[b.studies()[c]][k] > 0.5f
                            && findingTargets[b.studies()[a]][k] < 0.5f
                            && sa.truthFindings().stream().noneMatch(x -> x.finding() == m.finding())) {
                        lenders.computeIfAbsent(k, x -> new ArrayList<>()).add(c);
                    }
                }
            }
            if (lenders.isEmpty()) {
                continue;
            }
            List<Integer> findings = new ArrayList<>(lenders.keySet());
            int k = findings.get(rng.nextInt(findings.size()));
            List<Integer> holders = lenders.get(k);
            pairs.add(new int[] {a, holders.get(rng.nextInt(holders.size())), k});
        }
        return pairs.toArray(int[][]::new);
    }

    private DecodePlan plan(GroupBatchSampler.Batch b, int[][] cycles, int[][] exact, int[][] slots) {
        List<long[]> items = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        List<Integer> kinds = new ArrayList<>();
        int n = b.studies().length;
        for (int i = 0; i < n; i++) {
            items.add(new long[] {i, i, i});
            weights.add(1f / n);
            kinds.add(RECON);
        }
        if (cfg.groupSupervision()) {
            float idWeight = b.identityPairs().length == 0
                    ? 0
                    : (float) cfg.identitySwapWeight() / (2 * b.identityPairs().length);
            for (int[] p : b.identityPairs()) {
                // same patient: the partner's anatomy with my pathology must give me back
                items.add(new long[] {p[1], p[0], p[0]});
                items.add(new long[] {p[0], p[1], p[1]});
                weights.add(idWeight);
                weights.add(idWeight);
                kinds.add(IDENTITY_SWAP);
                kinds.add(IDENTITY_SWAP);
            }
            float pathWeight = b.pathologyPairs().length == 0
                    ? 0
                    : (float) cfg.pathologySwapWeight() / (2 * b.pathologyPairs().length);
            for (int[] p : b.pathologyPairs()) {
                // same finding tuple: my anatomy with the partner's pathology must give me back
                items.add(new long[] {p[0], p[1], p[0]});
                items.add(new long[] {p[1], p[0], p[1]});
                weights.add(pathWeight);
                weights.add(pathWeight);
                kinds.add(PATHOLOGY_SWAP);
                kinds.add(PATHOLOGY_SWAP);
            }
        }
        for (int[] c : cycles) {
            // A's anatomy with B's pathology: no pixel target, judged by re-encoding
            items.add(new long[] {c[0], c[1], c[0]});
            weights.add(0f);
            kinds.add(CYCLE);
        }
        for (int k = 0; k < exact.length; k++) {
            // A's anatomy with B's pathology against the phantom's render of exactly that, appended after the batch
            items.add(new long[] {exact[k][0], exact[k][1], n + k});
            weights.add((float) cfg.exactSwapWeight() / exact.length);
            kinds.add(EXACT_SWAP);
        }
        for (int j = 0; j < slots.length; j++) {
            // a's code with b's slot k, against the phantom's a with b's k: k drawn from its slot alone
            items.add(new long[] {slots[j][0], n + j, n + exact.length + j});
            weights.add((float) cfg.slotSwapWeight() / slots.length);
            kinds.add(SLOT_SWAP);
        }
        int m = items.size();
        long[] ids = new long[m];
        long[] paths = new long[m];
        long[] targets = new long[m];
        float[] w = new float[m];
        int[] k = new int[m];
        for (int i = 0; i < m; i++) {
            ids[i] = items.get(i)[0];
            paths[i] = items.get(i)[1];
            targets[i] = items.get(i)[2];
            w[i] = weights.get(i);
            k[i] = kinds.get(i);
        }
        return new DecodePlan(ids, paths, targets, w, k);
    }

    private Losses forwardBackward(GroupBatchSampler.Batch batch, long stepIndex) {
        int n = batch.studies().length;
        int size = data.size();
        int px = size * size;
        int findings = model.net().findingCount();
        float[] pixels = new float[n * px];
        float[] targets = new float[n * Math.max(1, findings)];
        for (int i = 0; i < n; i++) {
            int t = batch.studies()[i];
            System.arraycopy(data.studies().get(train[t]).pixels(), 0, pixels, i * px, px);
            System.arraycopy(findingTargets[t], 0, targets, i * findings, findings);
        }
        // the reparameterization noise of a step is a function of (seed, step): resumable
        SplitMix64 noiseRng = new SplitMix64(SplitMix64.derive(cfg.seed(), 0x2E95, stepIndex));
        float[] noise = new float[n * cfg.pathDim()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) noiseRng.gaussian();
        }
        int[][] cycles =
                cfg.cycleSwaps() > 0 ? crossPairs(batch, stepIndex, CYCLE_SALT, cfg.cycleSwaps()) : new int[0][];
        int[][] exact = cfg.exactSwaps() > 0 ? exactPairs(batch, stepIndex) : new int[0][];
        int[][] slots = cfg.slotSwaps() > 0 ? slotPairs(batch, stepIndex) : new int[0][];
        // the phantom's renders for the exact swaps, then the slot swaps, appended after the batch
        int rendered = exact.length + slots.length;
        float[] renderedTargets = new float[rendered * px];
        // the masks only feed the mask-weighted term
        float[][] renderedMasks = new float[rendered][];
        for (int r = 0; r < rendered; r++) {
            DisentanglerDataset.Counterfactual truth = r < exact.length
                    ? data.exactSwap(
                            data.studies().get(train[batch.studies()[exact[r][0]]]),
                            data.studies().get(train[batch.studies()[exact[r][1]]]))
                    : data.lendFinding(
                            data.studies().get(train[batch.studies()[slots[r - exact.length][0]]]),
                            data.studies().get(train[batch.studies()[slots[r - exact.length][1]]]),
                            data.vocabulary().get(slots[r - exact.length][2]));
            System.arraycopy(truth.image().toFloat(), 0, renderedTargets, r * px, px);
            if (cfg.findingMaskWeight() > 0) {
                renderedMasks[r] = unitMask(truth.findingMask());
            }
        }
        // the phantom's own change of each slot swap: its render minus the anatomy study rendered the same way, so
        // only the lent finding differs
        boolean changes = cfg.slotChangeWeight() > 0 || cfg.renderedIdentitySwapWeight() > 0;
        float[] trueChanges = new float[changes ? slots.length * px : 0];
        for (int j = 0; j < slots.length && changes; j++) {
            float[] own = ownRender(batch.studies()[slots[j][0]]).image().toFloat();
            int at = (exact.length + j) * px;
            for (int i = 0; i < px; i++) {
                trueChanges[j * px + i] = renderedTargets[at + i] - own[i];
            }
        }
        // each slot swap's anatomy study (its batch row) and the pixels its render changes, shared by the terms below
        long[] slotAnatomies = Arrays.stream(slots).mapToLong(p -> p[0]).toArray();
        float[] changedMask = changes ? changedPixels(trueChanges) : null;
        DecodePlan plan = plan(batch, cycles, exact, slots);
        int[] shift = batchShift(cfg.seed(), cfg.augmentShift(), stepIndex);
        pixels = translate(pixels, size, shift[0], shift[1]);
        renderedTargets = translate(renderedTargets, size, shift[0], shift[1]);
        trueChanges = translate(trueChanges, size, shift[0], shift[1]);
        ParameterStore ps = model.parameterStore();
        DisentanglerNet net = model.net();
        try (NDManager sm = model.manager().newSubManager()) {
            NDArray x = sm.create(pixels, new Shape(n, 1, size, size));
            NDArray y = sm.create(targets, new Shape(n, Math.max(1, findings)));
            NDArray eps = sm.create(noise, new Shape(n, cfg.pathDim()));
            NDArray itemWeights = sm.create(plan.weight());
            float[] perItem;
            double kl;
            double finding = 0;
            double adversarial = 0;
            double dependence;
            double cycle = 0;
            double cycleIdentity = 0;
            double renderedFinding = 0;
            double slotChange = 0;
            double renderedIdentity = 0;
            double renderedIdentitySwap = 0;
            double total;
            try (GradientCollector gc = engine.newGradientCollector()) {
                DisentanglerNet.Codes codes = net.encode(ps, x, true);
                NDArray zPath =
                        eps.mul(ScalarOps.times(codes.pathLogVar(), 0.5).exp()).add(codes.pathMean());
                NDArray zIdPlan = RowSelection.rows(codes.zId(), sm.create(plan.identitySource()));
                // with finding slots the decoder sees finding k's slot only where the study has k
                NDArray gate = net.hasFindingSlots() ? net.slotGate(y) : null;
                NDArray zPathRows = gate == null ? zPath : zPath.mul(gate);
                if (slots.length > 0) {
                    long[] lenders = Arrays.stream(slots).mapToLong(p -> p[1]).toArray();
                    // a's gated code with slot k taken from b's, as a counterfactual composes its code
                    // (DisentanglerModel.transplantFindingSlots)
                    NDArray lent = net.slotIndicator(
                            sm, Arrays.stream(slots).mapToInt(p -> p[2]).toArray());
                    NDArray composed = RowSelection.rows(zPathRows, sm.create(slotAnatomies))
                            .mul(lent.neg().add(1f))
                            .add(RowSelection.rows(zPathRows, sm.create(lenders))
                                    .mul(lent));
                    zPathRows = zPathRows.concat(composed, 0);
                }
                NDArray zPathPlan = RowSelection.rows(zPathRows, sm.create(plan.pathologySource()));
                NDArray targetImages =
                        rendered == 0 ? x : x.concat(sm.create(renderedTargets, new Shape(rendered, 1, size, size)), 0);
                NDArray targetPlan = RowSelection.rows(targetImages, sm.create(plan.target()));
                NDArray decoded = net.decode(ps, zIdPlan, zPathPlan, true);
                long items = plan.weight().length;
                NDArray l1 = decoded.sub(targetPlan).abs().reshape(items, -1).mean(new int[] {1});
                NDArray ssim = DifferentiableSsim.perImage(decoded, targetPlan, ssimWindow);
                NDArray itemLoss = ScalarOps.times(l1, cfg.pixelWeight())
                        .add(ScalarOps.times(ssim.neg().add(1f), cfg.ssimWeight()));
                if (cfg.findingMaskWeight() > 0) {
                    // mean error inside the findings' pixels: a small lesion counts as much as the rest
                    NDArray mask = sm.create(
                            translate(planMasks(batch, plan, renderedMasks, px), size, shift[0], shift[1]),
                            new Shape(items, px));
                    NDArray inMask = decoded.sub(targetPlan)
                            .abs()
                            .reshape(items, px)
                            .mul(mask)
                            .sum(new int[] {1})
                            .div(mask.sum(new int[] {1}).add(1f));
                    itemLoss = itemLoss.add(ScalarOps.times(inMask, cfg.findingMaskWeight()));
                }
                NDArray loss = itemLoss.mul(itemWeights).sum();
                NDArray klTerm = ScalarOps.times(
                        klToPrior(codes.pathMean(), codes.pathLogVar(), gate)
                                .sum(new int[] {1})
                                .mean(),
                        0.5);
                loss = loss.add(ScalarOps.times(klTerm, cfg.klWeight()));
                NDArray pooledId = DisentanglerNet.poolIdentity(codes.zId());
                if (findings > 0) {
                    NDArray findingTerm = cfg.findingPositiveWeight() > 0
                            ? weightedBinaryCrossEntropy(
                                    net.findingLogits(ps, zPath, true),
                                    y,
                                    sm.create(positiveWeights, new Shape(1, positiveWeights.length)))
                            : binaryCrossEntropy(net.findingLogits(ps, zPath, true), y);
                    NDArray probeTerm = binaryCrossEntropy(
                            net.probeLogitsFromMap(
                                    ps, GradientReversal.apply(codes.zId(), (float) cfg.reversalLambda()), true),
                            y);
                    loss = loss.add(ScalarOps.times(findingTerm, cfg.auxWeight()))
                            .add(ScalarOps.times(probeTerm, cfg.adversarialWeight()));
                    finding = findingTerm.getFloat();
                    adversarial = probeTerm.getFloat();
                }
                if (cycles.length > 0) {
                    // re-encode D(z_id(A), z_path(B)): the finding head must read B's findings from it and
                    // the identity code must stay A's, so the decoder has to draw the pathology from z_path
                    NDArray cyclePositions = sm.create(plan.positions(CYCLE));
                    NDArray swapped = RowSelection.rows(decoded, cyclePositions);
                    // frozen weights: the encoder and the finding head judge the swap as they judge real
                    // images; only the decoder (and the codes it was given) learn from this term. Trained
                    // on it, the encoder first learned to read B's labels off swaps that showed A's findings
                    DetachedParameters frozen = new DetachedParameters(model.manager(), sm);
                    DisentanglerNet.Codes again = net.encode(frozen, swapped, true);
                    long[] sources = new long[cycles.length];
                    long[] anatomies = new long[cycles.length];
                    for (int k = 0; k < cycles.length; k++) {
                        anatomies[k] = cycles[k][0];
                        sources[k] = cycles[k][1];
                    }
                    NDArray idTarget =
                            RowSelection.rows(codes.zId(), sm.create(anatomies)).stopGradient();
                    NDArray idTerm = again.zId().sub(idTarget).square().mean();
                    loss = loss.add(ScalarOps.times(idTerm, cfg.cycleIdentityWeight()));
                    cycleIdentity = idTerm.getFloat();
                    if (findings > 0) {
                        NDArray yB = RowSelection.rows(y, sm.create(sources));
                        NDArray cycleTerm = binaryCrossEntropy(net.findingLogits(frozen, again.pathMean(), true), yB);
                        loss = loss.add(ScalarOps.times(cycleTerm, cfg.cycleWeight()));
                        cycle = cycleTerm.getFloat();
                    }
                }
                DisentanglerNet.Codes renderCodes = null;
                if ((cfg.renderedFindingWeight() > 0 && findings > 0
                                || cfg.renderedIdentityWeight() > 0
                                || cfg.renderedIdentitySwapWeight() > 0)
                        && slots.length > 0) {
                    renderCodes = net.encode(
                            ps,
                            sm.create(
                                    Arrays.copyOfRange(renderedTargets, exact.length * px, rendered * px),
                                    new Shape(slots.length, 1, size, size)),
                            true);
                }
                if (cfg.renderedFindingWeight() > 0 && slots.length > 0 && findings > 0) {
                    // the slot swaps' renders through the encoder: A's findings plus the lent k must be read from
                    // them, so a rare finding is read on a new anatomy every step, not only on its few studies
                    float[] renderLabels = new float[slots.length * findings];
                    for (int j = 0; j < slots.length; j++) {
                        System.arraycopy(
                                findingTargets[batch.studies()[slots[j][0]]], 0, renderLabels, j * findings, findings);
                        renderLabels[j * findings + slots[j][2]] = 1f;
                    }
                    NDArray renderLogits = net.findingLogits(ps, renderCodes.pathMean(), true);
                    // unweighted: the lent finding is drawn uniformly among those the batch can lend, so the
                    // renders are balanced already; the training prevalence's positive weights on top of that
                    // taught the head to call every finding present (bench/disentangle/RESULTS.md)
                    NDArray renderTerm = binaryCrossEntropy(
                            renderLogits, sm.create(renderLabels, new Shape(slots.length, findings)));
                    loss = loss.add(ScalarOps.times(renderTerm, cfg.renderedFindingWeight()));
                    renderedFinding = renderTerm.getFloat();
                }
                if (cfg.renderedIdentityWeight() > 0 && slots.length > 0) {
                    // the render adds only the lent finding to A: its identity code must stay A's, so the finding
                    // has to travel in slot k, the only part of the code a counterfactual moves
                    NDArray own = RowSelection.rows(codes.zId(), sm.create(slotAnatomies))
                            .stopGradient();
                    NDArray identityTerm = renderCodes
                            .zId()
                            .sub(own)
                            .square()
                            .sum()
                            .div(own.square().sum().add(1e-8f));
                    loss = loss.add(ScalarOps.times(identityTerm, cfg.renderedIdentityWeight()));
                    renderedIdentity = identityTerm.getFloat();
                }
                if (cfg.renderedIdentitySwapWeight() > 0 && slots.length > 0) {
                    // the render's identity with A's own pathology code must draw A as A's own code draws it: the
                    // lent finding may not come from z_id, however little of it z_id holds
                    NDArray fromRenderIdentity = net.decode(
                                    ps, renderCodes.zId(), RowSelection.rows(zPathRows, sm.create(slotAnatomies)), true)
                            .reshape(slots.length, px);
                    NDArray ownDrawing = RowSelection.rows(decoded, sm.create(slotAnatomies))
                            .reshape(slots.length, px)
                            .stopGradient();
                    NDArray swapTerm = insideAndOutside(
                            fromRenderIdentity.sub(ownDrawing).abs(),
                            sm.create(changedMask, new Shape(slots.length, px)));
                    loss = loss.add(ScalarOps.times(swapTerm, cfg.renderedIdentitySwapWeight()));
                    renderedIdentitySwap = swapTerm.getFloat();
                }
                if (cfg.slotChangeWeight() > 0 && slots.length > 0) {
                    // the change a residual counterfactual adds (swap decode − the anatomy's own reconstruction,
                    // the batch's first n items) against the phantom's change: where the render changes and
                    // everywhere else weigh alike, so a drawing outside the finding costs as much as a missed one
                    NDArray predicted = RowSelection.rows(decoded, sm.create(plan.positions(SLOT_SWAP)))
                            .sub(RowSelection.rows(decoded, sm.create(slotAnatomies)))
                            .reshape(slots.length, px);
                    NDArray error = predicted
                            .sub(sm.create(trueChanges, new Shape(slots.length, px)))
                            .abs();
                    NDArray changeTerm = insideAndOutside(error, sm.create(changedMask, new Shape(slots.length, px)));
                    loss = loss.add(ScalarOps.times(changeTerm, cfg.slotChangeWeight()));
                    slotChange = changeTerm.getFloat();
                }
                NDArray dependenceTerm = crossCovarianceNorm(pooledId, codes.pathMean());
                loss = loss.add(ScalarOps.times(dependenceTerm, cfg.dependenceWeight()));
                total = loss.getFloat();
                perItem = itemLoss.toFloatArray();
                kl = klTerm.getFloat();
                dependence = dependenceTerm.getFloat();
                if (Double.isFinite(total)) {
                    gc.backward(loss);
                }
            }
            double[] byKind = new double[KINDS];
            int[] count = new int[KINDS];
            for (int i = 0; i < perItem.length; i++) {
                byKind[plan.kind()[i]] += perItem[i];
                count[plan.kind()[i]]++;
            }
            return new Losses(
                    total,
                    mean(byKind[RECON], count[RECON]),
                    mean(byKind[IDENTITY_SWAP], count[IDENTITY_SWAP]),
                    mean(byKind[PATHOLOGY_SWAP], count[PATHOLOGY_SWAP]),
                    kl,
                    finding,
                    adversarial,
                    dependence,
                    cycle,
                    cycleIdentity,
                    mean(byKind[EXACT_SWAP], count[EXACT_SWAP]),
                    mean(byKind[SLOT_SWAP], count[SLOT_SWAP]),
                    renderedFinding,
                    slotChange,
                    renderedIdentity,
                    renderedIdentitySwap);
        }
    }

    /**
     * The model's parameters with autograd cut: a forward through this store passes gradients to its
     * input but never to the weights. The detached views share the weights' memory and belong to the
     * step's manager.
     */
    private static final class DetachedParameters extends ParameterStore {
        private final NDManager scope;

        DetachedParameters(NDManager manager, NDManager scope) {
            super(manager, false);
            this.scope = scope;
        }

        @Override
        public NDArray getValue(ai.djl.nn.Parameter parameter, ai.djl.Device device, boolean training) {
            NDArray detached = super.getValue(parameter, device, training).stopGradient();
            detached.attach(scope);
            return detached;
        }
    }

    /**
     * Twice the KL divergence of each dimension's posterior N(mean, exp(logVar)) from its prior: N(0, 1), and with a
     * slot gate (null: none) N(0, s²) where the gate is 0, s = {@link #ABSENT_SLOT_SCALE}. An absent finding's slot
     * gets the narrow prior so that codes read from images without the finding sit near 0, as the decoder saw
     * them in training (a pull of weight auxWeight on the mean instead collapsed z_path:
     * bench/generator/RESULTS.md, "Finding slots"). A gate between 0 and 1 mixes the two.
     */
    static NDArray klToPrior(NDArray mean, NDArray logVar, NDArray gate) {
        NDArray standard = mean.square().add(logVar.exp()).sub(1f).sub(logVar);
        if (gate == null) {
            return standard;
        }
        float s2 = ABSENT_SLOT_SCALE * ABSENT_SLOT_SCALE;
        NDArray narrow = ScalarOps.dividedBy(mean.square().add(logVar.exp()), s2)
                .sub(1f)
                .sub(logVar)
                .add((float) Math.log(s2));
        return standard.mul(gate).add(narrow.mul(gate.neg().add(1f)));
    }

    /** The standard deviation of an absent finding slot's prior ({@link DisentanglerConfig#findingSlots()}). */
    static final float ABSENT_SLOT_SCALE = 0.1f;

    private static double mean(double sum, int count) {
        return count == 0 ? 0 : sum / count;
    }

    /** The step's batch shift (dx, dy) in [−k, k] (augmentShift k), a function of (seed, step): resumable. */
    static int[] batchShift(long seed, int k, long stepIndex) {
        if (k == 0) {
            return new int[] {0, 0};
        }
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(seed, SHIFT_SALT, stepIndex));
        return new int[] {rng.nextInt(2 * k + 1) - k, rng.nextInt(2 * k + 1) - k};
    }

    /**
     * Square images of {@code size} × {@code size}, back to back, each moved right by dx and down by dy with
     * the edge rows and columns repeated into the space left; the same array when there is nothing to move.
     */
    static float[] translate(float[] images, int size, int dx, int dy) {
        if (dx == 0 && dy == 0) {
            return images;
        }
        int px = size * size;
        float[] out = new float[images.length];
        for (int base = 0; base < images.length; base += px) {
            for (int y = 0; y < size; y++) {
                int sy = Math.min(size - 1, Math.max(0, y - dy));
                for (int x = 0; x < size; x++) {
                    int sx = Math.min(size - 1, Math.max(0, x - dx));
                    out[base + y * size + x] = images[base + sy * size + sx];
                }
            }
        }
        return out;
    }

    /**
     * The union of training study {@code t}'s rendered finding masks as 0/1 pixels, or null without phantom ground
     * truth or findings.
     */
    private float[] findingMask(int t) {
        DisentanglerDataset.Study s = data.studies().get(train[t]);
        if (!s.hasGroundTruth() || s.truthFindings().isEmpty()) {
            return null;
        }
        return unitMask(ownRender(t).findingMask());
    }

    /** Training study {@code t} rendered by the phantom with its own findings (see {@link #ownRenders}). */
    private DisentanglerDataset.Counterfactual ownRender(int t) {
        if (ownRenders[t] == null) {
            DisentanglerDataset.Study s = data.studies().get(train[t]);
            ownRenders[t] = data.counterfactual(s, s.truthFindings());
        }
        return ownRenders[t];
    }

    /**
     * Mean over rows of (mean error where {@code changed} is 1) + (mean error where it is 0): a change of a few pixels
     * weighs as much as the thousands around it.
     */
    private static NDArray insideAndOutside(NDArray error, NDArray changed) {
        NDArray unchanged = changed.neg().add(1f);
        NDArray inside = error.mul(changed)
                .sum(new int[] {1})
                .div(changed.sum(new int[] {1}).add(1f));
        NDArray outside = error.mul(unchanged)
                .sum(new int[] {1})
                .div(unchanged.sum(new int[] {1}).add(1f));
        return inside.add(outside).mean();
    }

    /**
     * The pixels where a rendered change is visible, as 0/1: above {@value #CHANGE_THRESHOLD} of the pixel range, so
     * the faint rim the phantom's point spread leaves around a finding counts as unchanged.
     */
    static float[] changedPixels(float[] changes) {
        float[] m = new float[changes.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = Math.abs(changes[i]) > CHANGE_THRESHOLD ? 1f : 0f;
        }
        return m;
    }

    /** A mask as 0/1 pixels. */
    private static float[] unitMask(boolean[] mask) {
        float[] m = new float[mask.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = mask[i] ? 1f : 0f;
        }
        return m;
    }

    /**
     * Per plan item, the pixels its mask-weighted term covers: the target's findings for a reconstruction, the
     * union of target's and anatomy source's for an identity, exact or slot swap (where the source's findings must
     * go and the target's appear), nothing for the other kinds.
     */
    private float[] planMasks(GroupBatchSampler.Batch batch, DecodePlan plan, float[][] renderedMasks, int px) {
        int n = batch.studies().length;
        float[] masks = new float[plan.weight().length * px];
        for (int i = 0; i < plan.weight().length; i++) {
            int kind = plan.kind()[i];
            if (kind != RECON && kind != IDENTITY_SWAP && kind != EXACT_SWAP && kind != SLOT_SWAP) {
                continue;
            }
            float[] target = kind == EXACT_SWAP || kind == SLOT_SWAP
                    ? renderedMasks[(int) plan.target()[i] - n]
                    : findingMasks[batch.studies()[(int) plan.target()[i]]];
            float[] anatomy = kind == RECON ? null : findingMasks[batch.studies()[(int) plan.identitySource()[i]]];
            for (int j = 0; j < px; j++) {
                float t = target == null ? 0f : target[j];
                float a = anatomy == null ? 0f : anatomy[j];
                masks[i * px + j] = Math.max(t, a);
            }
        }
        return masks;
    }

    /** Per study, the indices of its present findings (columns at 1 in the multi-hot targets). */
    static int[][] presentFindings(float[][] targets) {
        int[][] present = new int[targets.length][];
        for (int i = 0; i < targets.length; i++) {
            float[] t = targets[i];
            present[i] = java.util.stream.IntStream.range(0, t.length)
                    .filter(k -> t[k] > 0.5f)
                    .toArray();
        }
        return present;
    }

    /** min(cap, negatives / positives) per finding column of the training targets (1 without positives or cap). */
    static float[] positiveWeights(float[][] targets, int findings, double cap) {
        float[] w = new float[findings];
        java.util.Arrays.fill(w, 1f);
        if (cap <= 0) {
            return w;
        }
        for (int k = 0; k < findings; k++) {
            int pos = 0;
            for (float[] t : targets) {
                pos += k < t.length && t[k] > 0.5f ? 1 : 0;
            }
            if (pos > 0) {
                w[k] = (float) Math.min(cap, Math.max(1.0, (double) (targets.length - pos) / pos));
            }
        }
        return w;
    }

    /** Mean BCE with logits, positives weighted per column: w·y·softplus(−z) + (1 − y)·softplus(z). */
    static NDArray weightedBinaryCrossEntropy(NDArray logits, NDArray targets, NDArray positiveWeight) {
        NDArray softplusNeg = Activation.relu(logits.neg())
                .add(logits.abs().neg().exp().add(1f).log());
        NDArray softplusPos =
                Activation.relu(logits).add(logits.abs().neg().exp().add(1f).log());
        return targets.mul(positiveWeight)
                .mul(softplusNeg)
                .add(targets.neg().add(1f).mul(softplusPos))
                .mean();
    }

    /** Mean binary cross-entropy with logits, in the numerically stable form. */
    static NDArray binaryCrossEntropy(NDArray logits, NDArray targets) {
        return Activation.relu(logits)
                .sub(logits.mul(targets))
                .add(logits.abs().neg().exp().add(1f).log())
                .mean();
    }

    /**
     * ‖Cov(a, b)‖²_F of batch-standardized features: zero when every feature of a is linearly
     * uncorrelated with every feature of b in the batch.
     */
    static NDArray crossCovarianceNorm(NDArray a, NDArray b) {
        long n = a.getShape().get(0);
        NDArray as = standardize(a);
        NDArray bs = standardize(b);
        NDArray cov = ScalarOps.dividedBy(as.transpose().matMul(bs), (double) n);
        return cov.square().sum();
    }

    /**
     * Batch standardization, scale-invariant on purpose: with a variance floor comparable to the
     * codes' variance (1e-5 was), shrinking a code to a constant became the cheapest way to zero the
     * penalty and z_path collapsed. The floor only guards against division by zero.
     */
    private static NDArray standardize(NDArray a) {
        NDArray centred = a.sub(a.mean(new int[] {0}));
        NDArray std = centred.square().mean(new int[] {0}).add(1e-12f).sqrt();
        return centred.div(std);
    }

    /** Runs one batch forward and backward without updating (gradients stay on the parameters). */
    Losses accumulateGradients(GroupBatchSampler.Batch batch) {
        return forwardBackward(batch, step);
    }

    /** The training studies' indices into the data set (sampler index → study index). */
    int[] trainIndices() {
        return Arrays.copyOf(train, train.length);
    }

    @Override
    public void close() {
        constants.close();
        adam.close();
    }
}
