package dev.causalcxr.cli.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The service's metrics in the Prometheus text exposition format (version 0.0.4): request counts by
 * route and status, a latency histogram by route, the queue's depth and capacity, batches and their
 * sizes, counterfactuals made, rejections, model loads. Route labels are templates
 * ({@code /v1/results/{id}/{file}}), never paths with ids.
 */
public final class ServiceMetrics {
    /** Latency buckets in seconds. */
    static final double[] LATENCY_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Histogram batchRequests = new Histogram(BATCH_BUCKETS);
    private final LongAdder batches = new LongAdder();
    private final LongAdder counterfactuals = new LongAdder();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final LongAdder modelLoads = new LongAdder();
    private final LongAdder clientsGone = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();
    private volatile LongSupplier queueDepth = () -> 0;
    private volatile LongSupplier queueCapacity = () -> 0;
    private volatile LongSupplier loadedModels = () -> 0;

    static final class Histogram {
        final double[] bounds;
        final LongAdder[] counts;
        final DoubleAdder sum = new DoubleAdder();
        final LongAdder count = new LongAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            counts = new LongAdder[bounds.length];
            for (int i = 0; i < bounds.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double v) {
            for (int i = 0; i < bounds.length; i++) {
                if (v <= bounds[i]) {
                    counts[i].increment();
                }
            }
            sum.add(v);
            count.increment();
        }
    }

    public void request(String method, String route, int status, double seconds) {
        requests.computeIfAbsent(
                        labels("method", method, "route", route, "code", String.valueOf(status)), k -> new LongAdder())
                .increment();
        latency.computeIfAbsent(labels("method", method, "route", route), k -> new Histogram(LATENCY_BUCKETS))
                .observe(seconds);
    }

    public void batch(int requestsInBatch, int images) {
        batches.increment();
        batchRequests.observe(requestsInBatch);
        counterfactuals.add(images);
    }

    public void rejected(String reason) {
        rejected.computeIfAbsent(labels("reason", reason), k -> new LongAdder()).increment();
    }

    public void modelLoaded() {
        modelLoads.increment();
    }

    public void clientGone() {
        clientsGone.increment();
    }

    public void enter() {
        inFlight.incrementAndGet();
    }

    public void leave() {
        inFlight.decrementAndGet();
    }

    public void queue(LongSupplier depth, LongSupplier capacity) {
        this.queueDepth = depth;
        this.queueCapacity = capacity;
    }

    public void models(LongSupplier loaded) {
        this.loadedModels = loaded;
    }

    /** Total counterfactuals made so far. */
    public long counterfactuals() {
        return counterfactuals.sum();
    }

    /** The exposition text. */
    public String render() {
        StringBuilder b = new StringBuilder();
        family(b, "causalcxr_http_requests_total", "counter", "HTTP requests answered, by method, route and status");
        new TreeMap<>(requests)
                .forEach((l, v) -> b.append("causalcxr_http_requests_total")
                        .append(l)
                        .append(' ')
                        .append(v.sum())
                        .append('\n'));
        family(
                b,
                "causalcxr_http_request_duration_seconds",
                "histogram",
                "time from request to answer, by method and route");
        new TreeMap<>(latency).forEach((l, h) -> histogram(b, "causalcxr_http_request_duration_seconds", l, h));
        family(b, "causalcxr_http_requests_in_flight", "gauge", "requests being handled now");
        b.append("causalcxr_http_requests_in_flight ").append(inFlight.get()).append('\n');
        family(b, "causalcxr_queue_depth", "gauge", "counterfactual requests waiting for the model");
        b.append("causalcxr_queue_depth ").append(queueDepth.getAsLong()).append('\n');
        family(b, "causalcxr_queue_capacity", "gauge", "waiting requests at most; more are answered 429");
        b.append("causalcxr_queue_capacity ").append(queueCapacity.getAsLong()).append('\n');
        family(b, "causalcxr_batches_total", "counter", "batches run on the model");
        b.append("causalcxr_batches_total ").append(batches.sum()).append('\n');
        family(b, "causalcxr_batch_requests", "histogram", "requests per batch");
        histogram(b, "causalcxr_batch_requests", "", batchRequests);
        family(b, "causalcxr_counterfactuals_total", "counter", "counterfactual images generated");
        b.append("causalcxr_counterfactuals_total ")
                .append(counterfactuals.sum())
                .append('\n');
        family(b, "causalcxr_rejected_requests_total", "counter", "counterfactual requests not run, by reason");
        new TreeMap<>(rejected)
                .forEach((l, v) -> b.append("causalcxr_rejected_requests_total")
                        .append(l)
                        .append(' ')
                        .append(v.sum())
                        .append('\n'));
        family(
                b,
                "causalcxr_client_disconnects_total",
                "counter",
                "answers that could not be sent: the client had gone");
        b.append("causalcxr_client_disconnects_total ")
                .append(clientsGone.sum())
                .append('\n');
        family(
                b,
                "causalcxr_model_loads_total",
                "counter",
                "model versions loaded (startup, alias moves, other versions)");
        b.append("causalcxr_model_loads_total ").append(modelLoads.sum()).append('\n');
        family(b, "causalcxr_models_loaded", "gauge", "model versions loaded now");
        b.append("causalcxr_models_loaded ").append(loadedModels.getAsLong()).append('\n');
        return b.toString();
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void histogram(StringBuilder b, String name, String labels, Histogram h) {
        String inner = labels.isEmpty() ? "" : labels.substring(1, labels.length() - 1) + ",";
        for (int i = 0; i < h.bounds.length; i++) {
            b.append(name)
                    .append("_bucket{")
                    .append(inner)
                    .append("le=\"")
                    .append(number(h.bounds[i]))
                    .append("\"} ")
                    .append(h.counts[i].sum())
                    .append('\n');
        }
        long count = h.count.sum();
        b.append(name)
                .append("_bucket{")
                .append(inner)
                .append("le=\"+Inf\"} ")
                .append(count)
                .append('\n');
        b.append(name)
                .append("_sum")
                .append(labels)
                .append(' ')
                .append(number(h.sum.sum()))
                .append('\n');
        b.append(name).append("_count").append(labels).append(' ').append(count).append('\n');
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    /** {k1="v1",k2="v2"} with the values escaped. */
    static String labels(String... kv) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(kv[i])
                    .append("=\"")
                    .append(kv[i + 1]
                            .replace("\\", "\\\\")
                            .replace("\"", "\\\"")
                            .replace("\n", "\\n"))
                    .append('"');
        }
        return b.append('}').toString();
    }
}
