package dev.causalcxr.activities.runner;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat of one activity attempt: passes each checkpoint pointer on, and repeats the newest one every
 * {@link #INTERVAL} from a background thread while the attempt runs.
 *
 * <p>Why: the heartbeat timeout is what detects a dead worker, so it is short (seconds). A stage reports progress
 * only between steps; loading a data set, publishing outputs or one slow evaluation pass can take longer than the
 * timeout, and must not look like a dead worker. The liveness signal therefore comes from this process being up,
 * and progress rides on it. A stage that hangs without dying is bounded by its start-to-close timeout instead.
 * The SDK coalesces beats within its throttle interval, so repeating them costs at most one RPC per interval.
 */
public final class KeepAliveHeartbeat implements Heartbeat, AutoCloseable {
    /** Beat period: a quarter of the stage heartbeat timeout (20 s), so three lost beats are still no time-out. */
    public static final Duration INTERVAL = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(KeepAliveHeartbeat.class);

    private final Heartbeat target;
    private final ScheduledExecutorService timer;
    private volatile CheckpointPointer latest;
    private volatile boolean stopped;
    private final String stage;

    private KeepAliveHeartbeat(Heartbeat target, CheckpointPointer initial, String stage) {
        this.target = target;
        this.latest = initial;
        this.stage = stage;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + stage);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param initial the previous attempt's pointer (or null): repeated until this attempt has its own, so that a
     *                worker killed before its first checkpoint does not erase where the run can resume from
     */
    public static KeepAliveHeartbeat start(
            Heartbeat target, CheckpointPointer initial, Duration interval, String stage) {
        KeepAliveHeartbeat h = new KeepAliveHeartbeat(target, initial, stage);
        long ms = interval.toMillis();
        // the first repeat after one period: the server still holds the previous attempt's details until then, and
        // a stage that reports at once is not overwritten by a pointer-less beat
        // the schedule ends with the executor (close); its future has nothing to report
        var unused = h.timer.scheduleWithFixedDelay(h::repeat, ms, ms, TimeUnit.MILLISECONDS);
        return h;
    }

    @Override
    public void beat(CheckpointPointer pointer) {
        latest = pointer;
        target.beat(pointer);
    }

    private void repeat() {
        if (stopped) {
            return;
        }
        try {
            target.beat(latest);
        } catch (RuntimeException e) {
            // cancelled, or this attempt timed out on the server: the SDK keeps the failure and throws it to the
            // stage's own next beat, which handles it; this thread only stops repeating (an unreachable server is
            // not thrown: the SDK logs it and the next beat tries again)
            log.warn(
                    "{}: the server refused this attempt's heartbeat ({}): cancelled or timed out, it stops at its"
                            + " next report",
                    stage,
                    e.getClass().getSimpleName());
            stopped = true;
            timer.shutdown();
        }
    }

    @Override
    public void close() {
        stopped = true;
        timer.shutdownNow();
    }
}
