package dev.causalcxr.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RowSelectionTest {
    /** 48 picks of 8 rows: each row six times, as the disentangler's decode plan repeats codes. */
    private static final long[] PICK = new long[48];

    static {
        for (int i = 0; i < PICK.length; i++) {
            PICK[i] = (i * 7L) % 8;
        }
    }

    private record Run(float[] picked, float[] gradient) {}

    private static Run run(NDManager m) {
        Engines.pytorch().setRandomSeed(5);
        NDArray codes = m.randomNormal(new Shape(8, 16, 16, 16));
        NDArray upstream = m.randomNormal(new Shape(PICK.length, 16, 16, 16));
        codes.setRequiresGradient(true);
        try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray picked = RowSelection.rows(codes, m.create(PICK));
            gc.backward(picked.mul(upstream).sum());
            return new Run(picked.toFloatArray(), codes.getGradient().toFloatArray());
        }
    }

    @Test
    void picksTheSameValuesAsIndexingAndSumsEachRowsGradientInPickOrder() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            Engines.pytorch().setRandomSeed(5);
            NDArray codes = m.randomNormal(new Shape(8, 16, 16, 16));
            NDArray upstream = m.randomNormal(new Shape(PICK.length, 16, 16, 16));
            NDArray indexed = codes.get(new NDIndex("{}", m.create(PICK)));
            Run r = run(m);
            assertArrayEquals(indexed.toFloatArray(), r.picked());
            assertEquals(new Shape(PICK.length, 16, 16, 16), indexed.getShape());

            // the expected gradient, summed in float in the order of the picks
            float[] up = upstream.toFloatArray();
            int width = 16 * 16 * 16;
            float[] expected = new float[8 * width];
            for (int i = 0; i < PICK.length; i++) {
                for (int f = 0; f < width; f++) {
                    expected[(int) PICK[i] * width + f] += up[i * width + f];
                }
            }
            assertArrayEquals(expected, r.gradient(), "bit for bit, not just close");
        }
    }

    @Test
    void theGradientIsBitIdenticalOverRepeatsWhileOtherThreadsLoadTheCores() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < Runtime.getRuntime().availableProcessors(); t++) {
            Thread busy = new Thread(() -> {
                long x = 0;
                while (!stop.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            busy.setDaemon(true);
            busy.start();
            load.add(busy);
        }
        try (NDManager root = NDManager.newBaseManager(Engines.PYTORCH)) {
            float[] first = null;
            for (int i = 0; i < 30; i++) {
                try (NDManager m = root.newSubManager()) {
                    float[] g = run(m).gradient();
                    if (first == null) {
                        first = g;
                    } else {
                        assertArrayEquals(first, g, "repeat " + i);
                    }
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join();
            }
        }
    }
}
