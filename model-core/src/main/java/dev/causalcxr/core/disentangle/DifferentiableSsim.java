package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.causalcxr.core.engine.ScalarOps;

/**
 * SSIM as NDArray ops, so (1 − SSIM) can be a training loss: Gaussian window (σ = 1.5, 11×11, as
 * the metric in {@code core.metrics.image.Ssim}), valid convolution, constants for data range 1.
 * The five local statistics (μx, μy, E[x²], E[y²], E[xy]) come from one grouped convolution.
 */
final class DifferentiableSsim {

    static final int RADIUS = 5;
    static final double SIGMA = 1.5;
    private static final float C1 = (float) (0.01 * 0.01);
    private static final float C2 = (float) (0.03 * 0.03);
    private static final int STATISTICS = 5;

    private DifferentiableSsim() {}

    /** The window as a grouped-convolution weight (5, 1, 11, 11), one copy per statistic. */
    static NDArray window(NDManager manager) {
        int size = 2 * RADIUS + 1;
        double[] g = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            g[i] = Math.exp(-((i - RADIUS) * (i - RADIUS)) / (2 * SIGMA * SIGMA));
            sum += g[i];
        }
        float[] w = new float[STATISTICS * size * size];
        for (int s = 0; s < STATISTICS; s++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    w[(s * size + y) * size + x] = (float) (g[y] * g[x] / (sum * sum));
                }
            }
        }
        return manager.create(w, new Shape(STATISTICS, 1, size, size));
    }

    /** Mean SSIM of each image pair: x, y (N, 1, H, W) → (N). */
    static NDArray perImage(NDArray x, NDArray y, NDArray window) {
        NDArray stack = NDArrays.concat(new NDList(x, y, x.mul(x), y.mul(y), x.mul(y)), 1);
        NDArray local = Conv2d.conv2d(
                        stack, window, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), STATISTICS)
                .singletonOrThrow();
        NDArray mx = local.get(":, 0");
        NDArray my = local.get(":, 1");
        NDArray vx = local.get(":, 2").sub(mx.mul(mx));
        NDArray vy = local.get(":, 3").sub(my.mul(my));
        NDArray cxy = local.get(":, 4").sub(mx.mul(my));
        NDArray numerator = ScalarOps.times(mx.mul(my), 2)
                .add(C1)
                .mul(ScalarOps.times(cxy, 2).add(C2));
        NDArray denominator = mx.mul(mx).add(my.mul(my)).add(C1).mul(vx.add(vy).add(C2));
        NDArray map = numerator.div(denominator);
        return map.reshape(map.getShape().get(0), -1).mean(new int[] {1});
    }
}
