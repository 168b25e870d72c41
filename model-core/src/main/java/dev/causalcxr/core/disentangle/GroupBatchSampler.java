package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Draws training batches that always hold {@code pairsPerKind} identity pairs (two studies of one
 * patient) and as many pathology pairs (two patients' studies with the same finding tuple); the rest
 * of the batch walks through a per-epoch shuffle of all training studies. Deterministic from the
 * seed; its {@link Position} (epoch, cursor, generator state) is all a checkpoint needs to continue
 * the same sequence.
 *
 * <p>Identity pairs prefer, where the patient has one, a partner with a different finding tuple.
 * Pathology pairs pick a tuple group uniformly first, so rare tuples are paired as often as the
 * common "no finding" group.
 *
 * <p>With findings given ({@link #GroupBatchSampler(int[], int[], int[][], double, int, int, long)}), identity
 * pairs are balanced by finding: each pair picks uniformly among the findings that some patient shows in
 * one training study and not in another (and one more choice: any study, as without findings), then pairs
 * a study showing that finding with the same patient's study without it. A rare finding is then swapped
 * between a patient's studies as often as a common one: the identity swap is the one loss that asks
 * z_path, not z_id, to carry a finding, and with uniform anchors a finding at 2 % reaches it in 2 % of the
 * pairs. A share of the remaining slots can be balanced by finding as well: such a slot picks a finding
 * uniformly among those some training study shows, then one of those studies.
 */
public final class GroupBatchSampler {

    /** Where the sampler stands: serializable as three numbers. */
    public record Position(long epoch, int cursor, long rngState) {}

    /**
     * One batch. {@code studies} are indices into the training list; pairs are positions inside
     * {@code studies}: identity pairs share a patient, pathology pairs share a tuple but not a patient.
     */
    public record Batch(int[] studies, int[][] identityPairs, int[][] pathologyPairs) {}

    private final int[] patientOf;
    private final int[] tupleOf;
    private final int batchSize;
    private final int pairsPerKind;
    private final long seed;
    private final int[] identityAnchors;
    /** Per finding that has contrast pairs: the studies showing it whose patient has a study without it. */
    private final List<int[]> contrastAnchors = new ArrayList<>();
    /** Per entry of {@link #contrastAnchors}: the finding index. */
    private final List<Integer> contrastFindings = new ArrayList<>();
    /** Per entry of {@link #contrastAnchors}, per anchor: the same patient's studies without the finding. */
    private final List<int[][]> contrastPartners = new ArrayList<>();

    private final int[][] findingsOf;
    /** Per finding shown by some training study: those studies (for the finding-balanced slots). */
    private final List<int[]> studiesByFinding = new ArrayList<>();

    private final double balancedShare;
    private final Map<Integer, int[]> studiesByPatient = new HashMap<>();
    private final List<int[]> pathologyGroups = new ArrayList<>();
    private long epoch;
    private int cursor;
    private SplitMix64 rng;
    private int[] order;

    /**
     * @param patientOf    patient number of each training study
     * @param tupleOf      finding-tuple group of each training study
     * @param batchSize    studies per batch
     * @param pairsPerKind identity pairs and pathology pairs per batch (4 × this ≤ batch size)
     * @throws IllegalArgumentException when the data cannot provide the pairs
     */
    public GroupBatchSampler(int[] patientOf, int[] tupleOf, int batchSize, int pairsPerKind, long seed) {
        this(patientOf, tupleOf, null, 0, batchSize, pairsPerKind, seed);
    }

    /**
     * @param findingsOf    per training study, the indices of its present findings; null = identity anchors
     *                      uniform over studies (as the five-argument constructor), else balanced by finding
     * @param balancedShare with findings: the share of the slots left after the pairs that is drawn balanced by
     *                      finding instead of from the epoch's shuffle (0 = none)
     */
    public GroupBatchSampler(
            int[] patientOf,
            int[] tupleOf,
            int[][] findingsOf,
            double balancedShare,
            int batchSize,
            int pairsPerKind,
            long seed) {
        if (!(balancedShare >= 0 && balancedShare <= 1)) {
            throw new IllegalArgumentException("the balanced share must be in [0, 1], was " + balancedShare);
        }
        this.balancedShare = findingsOf == null ? 0 : balancedShare;
        if (findingsOf != null && findingsOf.length != patientOf.length) {
            throw new IllegalArgumentException(
                    "need the findings of every study: " + findingsOf.length + " for " + patientOf.length + " studies");
        }
        if (patientOf.length != tupleOf.length || patientOf.length == 0) {
            throw new IllegalArgumentException("need one patient and one tuple per study, and at least one study");
        }
        if (pairsPerKind < 0 || 4 * pairsPerKind > batchSize) {
            throw new IllegalArgumentException("a batch of " + batchSize + " cannot hold " + pairsPerKind
                    + " identity and " + pairsPerKind + " pathology pairs");
        }
        this.patientOf = patientOf.clone();
        this.tupleOf = tupleOf.clone();
        this.batchSize = batchSize;
        this.pairsPerKind = pairsPerKind;
        this.seed = seed;
        Map<Integer, List<Integer>> byPatient = new HashMap<>();
        Map<Integer, List<Integer>> byTuple = new HashMap<>();
        for (int i = 0; i < patientOf.length; i++) {
            byPatient.computeIfAbsent(patientOf[i], k -> new ArrayList<>()).add(i);
            byTuple.computeIfAbsent(tupleOf[i], k -> new ArrayList<>()).add(i);
        }
        List<Integer> anchors = new ArrayList<>();
        for (int i = 0; i < patientOf.length; i++) {
            if (byPatient.get(patientOf[i]).size() >= 2) {
                anchors.add(i);
            }
        }
        identityAnchors = anchors.stream().mapToInt(Integer::intValue).toArray();
        byPatient.forEach((p, list) -> studiesByPatient.put(
                p, list.stream().mapToInt(Integer::intValue).toArray()));
        this.findingsOf = findingsOf == null ? null : copy(findingsOf);
        if (findingsOf != null) {
            int findings = java.util.Arrays.stream(findingsOf)
                            .flatMapToInt(java.util.Arrays::stream)
                            .max()
                            .orElse(-1)
                    + 1;
            for (int f = 0; f < findings; f++) {
                List<Integer> anchorsOfF = new ArrayList<>();
                List<int[]> partnersOfF = new ArrayList<>();
                for (int i = 0; i < patientOf.length; i++) {
                    int[] without = shows(i, f) ? withoutFinding(studiesByPatient.get(patientOf[i]), f) : null;
                    if (without != null && without.length > 0) {
                        anchorsOfF.add(i);
                        partnersOfF.add(without);
                    }
                }
                if (!anchorsOfF.isEmpty()) {
                    contrastAnchors.add(
                            anchorsOfF.stream().mapToInt(Integer::intValue).toArray());
                    contrastFindings.add(f);
                    contrastPartners.add(partnersOfF.toArray(new int[0][]));
                }
                int finding = f;
                int[] showing = java.util.stream.IntStream.range(0, patientOf.length)
                        .filter(i -> shows(i, finding))
                        .toArray();
                if (showing.length > 0) {
                    studiesByFinding.add(showing);
                }
            }
        }
        byTuple.keySet().stream().sorted().forEach(t -> {
            List<Integer> members = byTuple.get(t);
            Set<Integer> patients = new HashSet<>();
            members.forEach(m -> patients.add(patientOf[m]));
            if (patients.size() >= 2) {
                pathologyGroups.add(members.stream().mapToInt(Integer::intValue).toArray());
            }
        });
        if (pairsPerKind > 0 && identityAnchors.length == 0) {
            throw new IllegalArgumentException("no patient has two training studies: identity pairs are impossible"
                    + " (set pairsPerKind to 0 or supply longitudinal data)");
        }
        if (pairsPerKind > 0 && pathologyGroups.isEmpty()) {
            throw new IllegalArgumentException("no finding tuple is shared by two patients: pathology pairs are"
                    + " impossible (set pairsPerKind to 0 or supply finding labels)");
        }
        restore(new Position(0, 0, SplitMix64.derive(seed, 0x5A3B1E)));
    }

    private static int[][] copy(int[][] a) {
        int[][] c = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private boolean shows(int study, int finding) {
        for (int f : findingsOf[study]) {
            if (f == finding) {
                return true;
            }
        }
        return false;
    }

    private int[] withoutFinding(int[] studies, int finding) {
        return java.util.Arrays.stream(studies).filter(s -> !shows(s, finding)).toArray();
    }

    /** The findings identity pairs are balanced over (those with a contrast pair), in index order; empty without. */
    public List<Integer> contrastFindings() {
        return List.copyOf(contrastFindings);
    }

    /** Patient number of training study {@code i}. */
    public int patientOf(int i) {
        return patientOf[i];
    }

    /** Finding-tuple group of training study {@code i}. */
    public int tupleOf(int i) {
        return tupleOf[i];
    }

    public int identityAnchorCount() {
        return identityAnchors.length;
    }

    public int pathologyGroupCount() {
        return pathologyGroups.size();
    }

    public Position position() {
        return new Position(epoch, cursor, rng.state());
    }

    /** Whether a saved position can be continued on this sampler's studies (its cursor lies within them). */
    public boolean fits(Position p) {
        return p.cursor() >= 0 && p.cursor() <= patientOf.length;
    }

    /** How many training studies this sampler draws from. */
    public int studyCount() {
        return patientOf.length;
    }

    /** Continues from a saved position: the following batches equal those the saved sampler would draw. */
    public void restore(Position p) {
        if (p.cursor() < 0 || p.cursor() > patientOf.length) {
            throw new IllegalArgumentException("sampler cursor " + p.cursor() + " outside 0.." + patientOf.length);
        }
        epoch = p.epoch();
        cursor = p.cursor();
        rng = new SplitMix64(p.rngState());
        order = epochOrder(epoch);
    }

    public Batch next() {
        int[] studies = new int[batchSize];
        int[][] identityPairs = new int[pairsPerKind][];
        int[][] pathologyPairs = new int[pairsPerKind][];
        int slot = 0;
        for (int p = 0; p < pairsPerKind; p++) {
            int choice = contrastAnchors.isEmpty() ? 0 : rng.nextInt(contrastAnchors.size() + 1);
            if (choice > 0) {
                int[] anchorsOfF = contrastAnchors.get(choice - 1);
                int a = rng.nextInt(anchorsOfF.length);
                int anchor = anchorsOfF[a];
                int[] without = contrastPartners.get(choice - 1)[a];
                studies[slot] = anchor;
                studies[slot + 1] = without[rng.nextInt(without.length)];
                identityPairs[p] = new int[] {slot, slot + 1};
                slot += 2;
                continue;
            }
            int anchor = identityAnchors[rng.nextInt(identityAnchors.length)];
            int[] same = studiesByPatient.get(patientOf[anchor]);
            // prefer a partner whose finding tuple differs: only then does the identity swap say that
            // the findings must come from z_path (a same-tuple pair can keep them in z_id)
            int[] differing = java.util.Arrays.stream(same)
                    .filter(s -> tupleOf[s] != tupleOf[anchor])
                    .toArray();
            int partner;
            if (differing.length > 0) {
                partner = differing[rng.nextInt(differing.length)];
            } else {
                partner = same[rng.nextInt(same.length - 1)];
                if (partner == anchor) {
                    partner = same[same.length - 1];
                }
            }
            studies[slot] = anchor;
            studies[slot + 1] = partner;
            identityPairs[p] = new int[] {slot, slot + 1};
            slot += 2;
        }
        for (int p = 0; p < pairsPerKind; p++) {
            int[] group = pathologyGroups.get(rng.nextInt(pathologyGroups.size()));
            int anchor = group[rng.nextInt(group.length)];
            int[] others = java.util.Arrays.stream(group)
                    .filter(s -> patientOf[s] != patientOf[anchor])
                    .toArray();
            int partner = others[rng.nextInt(others.length)];
            studies[slot] = anchor;
            studies[slot + 1] = partner;
            pathologyPairs[p] = new int[] {slot, slot + 1};
            slot += 2;
        }
        int balancedSlots = (int) Math.round(balancedShare * (batchSize - slot));
        for (int k = 0; k < balancedSlots && !studiesByFinding.isEmpty(); k++) {
            int[] showing = studiesByFinding.get(rng.nextInt(studiesByFinding.size()));
            studies[slot++] = showing[rng.nextInt(showing.length)];
        }
        while (slot < batchSize) {
            if (cursor == order.length) {
                epoch++;
                cursor = 0;
                order = epochOrder(epoch);
            }
            studies[slot++] = order[cursor++];
        }
        return new Batch(studies, identityPairs, pathologyPairs);
    }

    private int[] epochOrder(long e) {
        int[] perm = new int[patientOf.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        new SplitMix64(SplitMix64.derive(seed, 0xE90C, e)).shuffle(perm);
        return perm;
    }
}
