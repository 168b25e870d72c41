package dev.causalcxr.cli.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.causalcxr.core.counterfactual.CounterfactualGenerator;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.files.Digests;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.imaging.ImageDecodeException;
import dev.causalcxr.core.imaging.Resampler;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.registry.ModelNotFoundException;
import dev.causalcxr.infra.registry.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counterfactual service: the JDK's HTTP server ({@code com.sun.net.httpserver}) with one router.
 *
 * <pre>
 *   GET  /                          the web page (and /app.js, /app.css)          no token
 *   GET  /healthz                   200 while the process serves                  no token
 *   GET  /readyz                    200 once the served model is loaded, else 503 no token
 *   GET  /metrics                   Prometheus text
 *   GET  /v1/models                 the served version, loaded ones, every registered version, the vocabulary
 *   POST /v1/counterfactuals        a request (multipart or JSON) → JSON with references, a PNG grid, or a zip
 *   GET  /v1/results/{id}/{file}    a file of a recent result
 *   GET  /v1/datasets               imported datasets (newest versions)
 *   GET  /v1/datasets/{ref}/studies the study ids of a dataset version
 *   GET  /v1/datasets/{ref}/studies/{study}/image  a study's image
 * </pre>
 *
 * With a token, every route but the page and the probes needs {@code Authorization: Bearer TOKEN}.
 */
public final class CounterfactualServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CounterfactualServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEB = "/dev/causalcxr/cli/serve/web/";
    private static final Map<String, String> STATIC =
            Map.of("/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css");
    private static final Pattern RESULT =
            Pattern.compile("/v1/results/([0-9a-f]{32})/([a-z0-9-]{1,40}\\.(?:png|json|zip))");
    private static final Pattern STUDIES = Pattern.compile("/v1/datasets/([^/]+)/studies");
    private static final Pattern STUDY_IMAGE = Pattern.compile("/v1/datasets/([^/]+)/studies/([^/]+)/image");
    static final String ZIP = "counterfactuals.zip";
    private static final java.util.Set<String> KNOWN_METHODS =
            java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

    private final ServeSettings settings;
    private final ModelPool models;
    private final DatasetStudies studies;
    private final ServiceMetrics metrics;
    private final BatchQueue<CounterfactualJob, CounterfactualGenerator.Generation> queue;
    private final ResultStore results;
    private final HttpServer http;
    private final ExecutorService handlers;
    private final ScheduledExecutorService poller;
    private final byte[] token;
    private final String modelRegistryNote;
    private final RegistryView registry;

    /** What the service reads of the registry for {@code GET /v1/models}. */
    public interface RegistryView {
        List<String> names();

        List<ModelVersion> versions(String name);
    }

    /**
     * Starts listening. The pool must have loaded its served model ({@link ModelPool#start}) or be
     * loading it; {@code /readyz} says which.
     */
    public CounterfactualServer(
            ServeSettings settings,
            ModelPool models,
            RegistryView registry,
            DatasetStudies studies,
            ServiceMetrics metrics)
            throws IOException {
        this(settings, models, registry, studies, metrics, UnaryOperator.identity());
    }

    /**
     * @param modelRunner wraps the runner of batches on the model (tests hold the model busy with it)
     */
    CounterfactualServer(
            ServeSettings settings,
            ModelPool models,
            RegistryView registry,
            DatasetStudies studies,
            ServiceMetrics metrics,
            UnaryOperator<BatchQueue.Runner<CounterfactualJob, CounterfactualGenerator.Generation>> modelRunner)
            throws IOException {
        this.settings = settings;
        this.models = models;
        this.registry = registry;
        this.studies = studies;
        this.metrics = metrics;
        this.token = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
        this.modelRegistryNote = models.servedReference();
        this.results = new ResultStore(settings.maxResults(), 256L << 20, settings.resultTtl(), Clock.systemUTC());
        this.queue = new BatchQueue<>(
                "serve-model",
                settings.queueCapacity(),
                settings.maxBatchRequests(),
                settings.maxBatchRows(),
                CounterfactualJob::batchKey,
                CounterfactualJob::rows,
                modelRunner.apply(this::runBatch),
                new BatchQueue.BatchListener() {
                    @Override
                    public void batch(int items, int rows) {}

                    @Override
                    public void expired() {
                        metrics.rejected("deadline");
                    }
                });
        metrics.queue(queue::depth, queue::capacity);
        metrics.models(models::loadedCount);
        int threads = settings.queueCapacity() + settings.maxBatchRequests() + 16;
        this.handlers = Executors.newFixedThreadPool(threads, daemon("serve-http-"));
        this.http = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 128);
        http.createContext("/", this::handle);
        http.setExecutor(handlers);
        http.start();
        this.poller = Executors.newSingleThreadScheduledExecutor(daemon("serve-model-poll-"));
        long every = settings.pollInterval().toMillis();
        // stopped by poller.shutdownNow() in close(); poll() catches its own failures, so it keeps repeating
        ScheduledFuture<?> unused = poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    /** One batch on the model: all jobs share the loaded version, steps and η. */
    private List<CounterfactualGenerator.Generation> runBatch(List<CounterfactualJob> jobs) {
        CounterfactualGenerator generator = jobs.get(0).model().generator();
        List<CounterfactualGenerator.Generation> out = generator.generateBatch(
                jobs.stream().map(CounterfactualJob::request).toList());
        metrics.batch(jobs.size(), jobs.stream().mapToInt(j -> j.asked().n()).sum());
        return out;
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://HOST:PORT/} */
    public URI uri() {
        String host = settings.bind().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    public ServiceMetrics metrics() {
        return metrics;
    }

    /** Requests waiting for the model, and in the batch running now. */
    int[] queueState() {
        return new int[] {queue.depth(), queue.running()};
    }

    private void poll() {
        try {
            models.refresh();
        } catch (RuntimeException | IOException e) {
            log.warn(
                    "could not resolve {} again: {}",
                    modelRegistryNote,
                    e.getClass().getSimpleName());
        }
    }

    // ------------------------------------------------------------------ routing

    private void handle(HttpExchange ex) {
        long start = System.nanoTime();
        metrics.enter();
        // what logs and metrics name: a known method or OTHER, never the client's string
        String method = KNOWN_METHODS.contains(ex.getRequestMethod()) ? ex.getRequestMethod() : "OTHER";
        Answer answer;
        String route = "other";
        int images = 0;
        try {
            String path = ex.getRequestURI().getRawPath();
            route = route(path);
            answer = dispatch(ex, method, path, route);
            images = answer.images;
        } catch (HttpError e) {
            answer = Answer.error(e.status(), e.reason());
        } catch (BatchQueue.QueueFullException e) {
            metrics.rejected("queue_full");
            answer = Answer.error(429, e.getMessage());
            answer.headers.put("Retry-After", "1");
        } catch (DeadlineException e) {
            answer = Answer.error(504, e.getMessage());
        } catch (ServiceStoppingException e) {
            answer = Answer.error(503, e.getMessage());
        } catch (ClientGoneException e) {
            metrics.clientGone();
            answer = null;
        } catch (Throwable e) {
            // the type and where, never the message: it may quote request data
            StringBuilder types = new StringBuilder(e.getClass().getName());
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                types.append(" <- ").append(c.getClass().getName());
            }
            log.error(
                    "{} {} failed: {} at {}",
                    method,
                    route,
                    types,
                    e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?");
            answer = Answer.error(500, "internal error");
        }
        int status = answer == null ? 499 : answer.status;
        try {
            if (answer != null) {
                send(ex, answer);
            }
        } catch (IOException e) {
            metrics.clientGone();
            status = 499;
        } finally {
            ex.close();
            double seconds = (System.nanoTime() - start) / 1e9;
            metrics.request(method, route, status, seconds);
            metrics.leave();
            if (!route.equals("/healthz") && !route.equals("/readyz") && !route.equals("/metrics")) {
                log.info(
                        "{} {} {} {} ms{}",
                        method,
                        route,
                        status,
                        Math.round(seconds * 1000),
                        images > 0 ? " (" + images + " images)" : "");
            }
        }
    }

    /** The route template of a path: what logs and metrics name, never an id. */
    static String route(String path) {
        if (STATIC.containsKey(path)
                || path.equals("/healthz")
                || path.equals("/readyz")
                || path.equals("/metrics")
                || path.equals("/v1/models")
                || path.equals("/v1/counterfactuals")
                || path.equals("/v1/datasets")) {
            return path;
        }
        if (RESULT.matcher(path).matches()) {
            return "/v1/results/{id}/{file}";
        }
        if (STUDIES.matcher(path).matches()) {
            return "/v1/datasets/{ref}/studies";
        }
        if (STUDY_IMAGE.matcher(path).matches()) {
            return "/v1/datasets/{ref}/studies/{study}/image";
        }
        return "other";
    }

    private Answer dispatch(HttpExchange ex, String method, String path, String route) throws Exception {
        if (STATIC.containsKey(path)) {
            requireMethod(method, "GET");
            return staticFile(STATIC.get(path));
        }
        switch (route) {
            case "/healthz":
                requireMethod(method, "GET");
                return Answer.text(200, "ok\n");
            case "/readyz":
                requireMethod(method, "GET");
                return models.ready()
                        ? Answer.text(200, "ready: " + models.served().reference() + "\n")
                        : Answer.text(503, "loading the model\n");
            default:
                break;
        }
        authorize(ex);
        switch (route) {
            case "/metrics": {
                requireMethod(method, "GET");
                Answer a = Answer.bytes(
                        200,
                        "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render().getBytes(StandardCharsets.UTF_8));
                return a;
            }
            case "/v1/models":
                requireMethod(method, "GET");
                return modelsAnswer();
            case "/v1/counterfactuals":
                requireMethod(method, "POST");
                return counterfactuals(ex);
            case "/v1/datasets":
                requireMethod(method, "GET");
                return datasetsAnswer();
            case "/v1/results/{id}/{file}": {
                requireMethod(method, "GET");
                Matcher m = RESULT.matcher(path);
                m.matches();
                byte[] body = results.file(m.group(1), m.group(2))
                        .orElseThrow(() -> HttpError.notFound("no such result (results are kept for "
                                + settings.resultTtl().toMinutes() + " minutes)"));
                return Answer.bytes(200, contentType(m.group(2)), body);
            }
            case "/v1/datasets/{ref}/studies": {
                requireMethod(method, "GET");
                Matcher m = STUDIES.matcher(path);
                m.matches();
                return studiesAnswer(decode(m.group(1)), ex.getRequestURI().getRawQuery());
            }
            case "/v1/datasets/{ref}/studies/{study}/image": {
                requireMethod(method, "GET");
                Matcher m = STUDY_IMAGE.matcher(path);
                m.matches();
                DatasetStudies.Bundle b = studies.bundle(decode(m.group(1)));
                return Answer.bytes(200, "image/png", studies.studyPng(b, decode(m.group(2))));
            }
            default:
                throw HttpError.notFound("no such endpoint");
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
            throw new HttpError(405, "use " + allowed);
        }
    }

    private void authorize(HttpExchange ex) {
        if (token == null) {
            return;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        byte[] given = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)
                ? h.substring(7).strip().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            throw new HttpError(401, "an access token is required: send 'Authorization: Bearer TOKEN'");
        }
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ counterfactuals

    private Answer counterfactuals(HttpExchange ex) throws IOException {
        long received = System.nanoTime();
        byte[] body = readBody(ex);
        RequestReader.Parsed p = RequestReader.read(ex.getRequestHeaders().getFirst("Content-Type"), body, settings);
        RequestReader.Format format = p.format() != null
                ? p.format()
                : fromAccept(ex.getRequestHeaders().getFirst("Accept"));
        ModelPool.Loaded model;
        try {
            model = models.acquire(p.model());
        } catch (ModelNotFoundException e) {
            throw HttpError.notFound(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        BatchQueue<CounterfactualJob, CounterfactualGenerator.Generation>.Ticket ticket;
        CounterfactualJob job;
        try {
            job = bind(p, model);
            ticket = queue.submit(job, deadlineOf(received, p));
        } catch (RuntimeException e) {
            model.release();
            throw e;
        }
        // the model stays acquired until the queue is done with the job: a request that gave up (deadline)
        // may still be in the batch running on it
        CompletableFuture<?> unused = ticket.released().whenComplete((v, e) -> model.release());
        CounterfactualGenerator.Generation g = await(ticket, deadlineOf(received, p));
        return answer(job, g, format);
    }

    private long deadlineOf(long received, RequestReader.Parsed p) {
        return received
                + TimeUnit.MILLISECONDS.toNanos(
                        p.deadlineMs() != null
                                ? p.deadlineMs()
                                : settings.deadline().toMillis());
    }

    private CounterfactualGenerator.Generation await(
            BatchQueue<CounterfactualJob, CounterfactualGenerator.Generation>.Ticket ticket, long deadline) {
        try {
            long wait = deadline - System.nanoTime();
            return ticket.result().get(Math.max(0, wait), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            ticket.cancel();
            metrics.rejected("deadline");
            throw new DeadlineException();
        } catch (InterruptedException e) {
            ticket.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (CancellationException e) {
            throw new DeadlineException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BatchQueue.DeadlineExceededException) {
                throw new DeadlineException();
            }
            if (e.getCause() instanceof ServiceStoppingException) {
                throw new HttpError(503, "the service is stopping");
            }
            throw new IllegalStateException("the model failed on this request's batch", e.getCause());
        }
    }

    /** Checks the request against its model and prepares the source as the CLI does. */
    private CounterfactualJob bind(RequestReader.Parsed p, ModelPool.Loaded model) {
        CounterfactualGenerator gen = model.generator();
        // what the request left out, the model's run used (RegisteredGenerators#defaultSampler)
        SamplerConfig modelDefaults = RegisteredGenerators.defaultSampler(model.version());
        SamplerConfig sampler;
        try {
            sampler = p.sampler(modelDefaults);
            gen.diffusion().schedule().ddimTimesteps(sampler.steps());
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("steps out of range: " + e.getMessage());
        }
        GrayImage original;
        Map<String, Object> from = new LinkedHashMap<>();
        if (p.image() != null) {
            original = SourceImages.decode(p.image(), settings.maxImagePixels());
            from.put("upload_sha256", Digests.sha256Hex(p.image()));
        } else {
            DatasetStudies.Bundle b = studies.bundle(p.dataset());
            try {
                original = ImageCodec.decode(studies.studyPng(b, p.study()));
            } catch (ImageDecodeException e) {
                throw new IllegalStateException("a dataset image does not decode", e);
            }
            from.put("dataset", p.dataset());
            from.put("study", p.study());
        }
        int size = gen.imageSize();
        // the same preparation as import and the CLI: the whole image fitted into the model's square
        GrayImage source =
                original.width() == size && original.height() == size ? original : Resampler.fitSquare(original, size);
        from.put("width", original.width());
        from.put("height", original.height());
        from.put("fitted_into", source == original ? null : source.width());
        Condition condition;
        String request;
        try {
            if (p.finding() != null) {
                condition = gen.parse(p.finding());
                request = p.finding();
            } else {
                condition = gen.resolve(Condition.of(p.mentions()));
                request = condition.describe();
            }
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("unknown finding: " + e.getMessage());
        }
        return new CounterfactualJob(
                model,
                original,
                source,
                condition,
                new CounterfactualFiles.Asked(
                        request, p.seed(), p.n(), sampler.guidance(), sampler.steps(), sampler.eta()),
                from);
    }

    private Answer answer(CounterfactualJob job, CounterfactualGenerator.Generation g, RequestReader.Format format)
            throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>(CounterfactualFiles.render(
                job.model().version(), job.asked(), g.condition(), g, job.source(), job.sourceDoc()));
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < g.images().size(); i++) {
            String name = String.format(Locale.ROOT, "difference-%02d.png", i + 1);
            files.put(name, DifferenceOverlay.png(job.source(), g.images().get(i)));
            differences.add(name);
        }
        files.put(ZIP, zip(files));
        String id = results.put(files);
        String base = "/v1/results/" + id + "/";
        Answer a;
        switch (format) {
            case PNG -> a = Answer.bytes(200, "image/png", files.get(CounterfactualFiles.SHEET));
            case ZIP -> {
                a = Answer.bytes(200, "application/zip", files.get(ZIP));
                a.headers.put("Content-Disposition", "attachment; filename=\"counterfactuals.zip\"");
            }
            default -> {
                ObjectNode doc = (ObjectNode) JSON.readTree(files.get(CounterfactualFiles.DOCUMENT));
                ObjectNode out = JSON.createObjectNode();
                out.put("id", id);
                out.setAll(doc);
                ArrayNode refs = out.putArray("counterfactuals");
                for (int i = 0; i < g.images().size(); i++) {
                    String name = CounterfactualFiles.imageName(i);
                    ObjectNode r = refs.addObject();
                    r.put("name", name);
                    r.put("url", base + name);
                    r.put("sha256", Digests.sha256Hex(files.get(name)));
                    r.put("difference_url", base + differences.get(i));
                }
                ObjectNode f = out.putObject("files");
                f.put("source", base + CounterfactualFiles.SOURCE);
                f.put("contact_sheet", base + CounterfactualFiles.SHEET);
                f.put("document", base + CounterfactualFiles.DOCUMENT);
                f.put("zip", base + ZIP);
                a = Answer.bytes(
                        200,
                        "application/json",
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
            }
        }
        a.headers.put("X-Result-Id", id);
        a.headers.put("Link", "<" + base + CounterfactualFiles.DOCUMENT + ">; rel=\"describedby\"");
        a.images = g.images().size();
        return a;
    }

    private static byte[] zip(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                ZipEntry e = new ZipEntry(f.getKey());
                e.setTime(0L);
                z.putNextEntry(e);
                z.write(f.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static RequestReader.Format fromAccept(String accept) {
        if (accept == null) {
            return RequestReader.Format.JSON;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        if (a.contains("application/json")) {
            return RequestReader.Format.JSON;
        }
        if (a.contains("application/zip")) {
            return RequestReader.Format.ZIP;
        }
        if (a.contains("image/png")) {
            return RequestReader.Format.PNG;
        }
        return RequestReader.Format.JSON;
    }

    /**
     * The body, within the upload limit; a client that goes away mid-upload is {@link ClientGoneException}.
     * A body over the limit is read to its end and dropped (up to {@link #DISCARD_LIMIT} more bytes)
     * before the 400 goes out: a server that answers and closes while the client still sends makes the
     * client's TCP stack reset the connection, and the client never sees the reason.
     */
    private byte[] readBody(HttpExchange ex) {
        long limit = settings.maxUploadBytes() + 64 * 1024;
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("malformed Content-Length");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            if (declared > limit) {
                discard(in, declared);
                throw RequestReader.tooLarge(declared, settings.maxUploadBytes());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int r;
            while ((r = in.read(buf)) >= 0) {
                total += r;
                if (total > limit) {
                    total += discard(in, Long.MAX_VALUE);
                    throw RequestReader.tooLarge(total, settings.maxUploadBytes());
                }
                out.write(buf, 0, r);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ClientGoneException();
        }
    }

    /** Bytes read past the limit, at most, to let the client finish sending before it is told no. */
    static final long DISCARD_LIMIT = 64L << 20;

    private static long discard(InputStream in, long declared) throws IOException {
        long budget = Math.min(declared, DISCARD_LIMIT);
        byte[] buf = new byte[64 * 1024];
        long read = 0;
        int r;
        while (read < budget && (r = in.read(buf, 0, (int) Math.min(buf.length, budget - read))) >= 0) {
            read += r;
        }
        return read;
    }

    // ------------------------------------------------------------------ models, datasets

    private Answer modelsAnswer() throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("served_reference", models.servedReference());
        ModelVersion served = models.ready() ? models.served() : null;
        out.put("served", served == null ? null : served.reference());
        ArrayNode loaded = out.putArray("loaded");
        for (ModelVersion v : models.loadedVersions()) {
            loaded.add(v.reference());
        }
        ArrayNode all = out.putArray("versions");
        for (String name : registry.names()) {
            for (ModelVersion v : registry.versions(name)) {
                ObjectNode o = all.addObject();
                o.put("reference", v.reference());
                o.put("name", v.name());
                o.put("version", v.version());
                ArrayNode aliases = o.putArray("aliases");
                v.aliases().forEach(aliases::add);
                o.put("created_at", v.createdAt().toString());
                o.put("bundle_digest", v.bundleDigest());
                o.set("metrics", JSON.valueToTree(new java.util.TreeMap<>(v.metrics())));
                o.set("provenance", JSON.valueToTree(new java.util.TreeMap<>(v.provenance())));
            }
        }
        if (served != null) {
            ModelPool.Loaded l = models.acquire(null);
            try {
                ObjectNode s = out.putObject("served_model");
                s.put("image_size", l.generator().imageSize());
                s.put("max_steps", l.generator().diffusion().config().timesteps());
                SamplerConfig d = RegisteredGenerators.defaultSampler(l.version());
                ObjectNode sampler = s.putObject("sampler");
                sampler.put("guidance", d.guidance());
                sampler.put("ddim_steps", d.steps());
                sampler.put("eta", d.eta());
                sampler.put("recorded", RegisteredGenerators.recordsSampler(l.version()));
                ArrayNode known = s.putArray("findings");
                l.generator().knownFindings().forEach(f -> known.add(f.label()));
                ArrayNode priors = s.putArray("tail_priors");
                l.generator().priors().keySet().forEach(f -> priors.add(f.label()));
            } finally {
                l.release();
            }
        }
        ObjectNode vocabulary = out.putObject("vocabulary");
        ArrayNode f = vocabulary.putArray("findings");
        for (Finding x : Finding.values()) {
            f.add(x.label());
        }
        ArrayNode sev = vocabulary.putArray("severity");
        for (Severity x : Severity.values()) {
            sev.add(x.label());
        }
        ArrayNode lat = vocabulary.putArray("laterality");
        for (Laterality x : Laterality.values()) {
            lat.add(x.label());
        }
        ArrayNode zone = vocabulary.putArray("zone");
        for (Zone x : Zone.values()) {
            zone.add(x.label());
        }
        ObjectNode limits = out.putObject("limits");
        limits.put("max_n", settings.maxN());
        limits.put("max_upload_bytes", settings.maxUploadBytes());
        limits.put("deadline_ms", settings.deadline().toMillis());
        limits.put("queue_capacity", settings.queueCapacity());
        return Answer.json(out);
    }

    private Answer datasetsAnswer() throws IOException {
        ArrayNode list = JSON.createArrayNode();
        for (DatasetCatalog.VersionRow v : studies.latest()) {
            ObjectNode o = list.addObject();
            o.put("dataset", v.dataset());
            o.put("version", v.version());
            o.put("reference", v.dataset() + "@" + v.version().substring(0, 12));
            o.put("studies", v.studies());
            o.put("created_at", v.createdAt().toString());
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("datasets", list);
        return Answer.json(out);
    }

    private Answer studiesAnswer(String ref, String rawQuery) throws IOException {
        DatasetStudies.Bundle b = studies.bundle(ref);
        int offset = queryInt(rawQuery, "offset", 0);
        int limit = Math.min(queryInt(rawQuery, "limit", 500), 5000);
        String split = queryString(rawQuery, "split");
        ObjectNode out = JSON.createObjectNode();
        out.put("dataset", b.version().dataset());
        out.put("version", b.version().version());
        out.put("reference", b.reference());
        List<DatasetEntry> entries = b.entries().stream()
                .filter(e -> split == null || e.split().label().equalsIgnoreCase(split))
                .toList();
        out.put("total", entries.size());
        ArrayNode list = out.putArray("studies");
        for (DatasetEntry e :
                entries.subList(Math.min(offset, entries.size()), Math.min(entries.size(), offset + limit))) {
            ObjectNode o = list.addObject();
            o.put("study", e.studyId());
            o.put("split", e.split().label());
            o.put("width", e.width());
            o.put("height", e.height());
        }
        return Answer.json(out);
    }

    private static int queryInt(String rawQuery, String name, int dflt) {
        String v = queryString(rawQuery, name);
        if (v == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < 0) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be a whole number >= 0");
        }
    }

    private static String queryString(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String kv : rawQuery.split("&")) {
            int eq = kv.indexOf('=');
            String k = decode(eq < 0 ? kv : kv.substring(0, eq));
            if (k.equals(name)) {
                return eq < 0 ? "" : decode(kv.substring(eq + 1));
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ answers

    private Answer staticFile(String name) throws IOException {
        try (InputStream in = CounterfactualServer.class.getResourceAsStream(WEB + name)) {
            if (in == null) {
                throw HttpError.notFound("no such file");
            }
            Answer a = Answer.bytes(200, contentType(name), in.readAllBytes());
            a.headers.put("Cache-Control", "no-cache");
            a.headers.put(
                    "Content-Security-Policy",
                    "default-src 'self'; img-src 'self' blob: data:; "
                            + "script-src 'self'; style-src 'self'; connect-src 'self' blob:; frame-ancestors 'none'");
            return a;
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".png")) {
            return "image/png";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".zip")) {
            return "application/zip";
        }
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "application/octet-stream";
    }

    private void send(HttpExchange ex, Answer a) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", a.contentType);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        if (!a.headers.containsKey("Cache-Control")) {
            h.set("Cache-Control", "no-store");
        }
        if (a.status == 401) {
            h.set("WWW-Authenticate", "Bearer");
        }
        a.headers.forEach(h::set);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(a.status, head ? -1 : a.body.length == 0 ? -1 : a.body.length);
        if (!head && a.body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(a.body);
            }
        }
    }

    private static final class Answer {
        final int status;
        final String contentType;
        final byte[] body;
        final Map<String, String> headers = new LinkedHashMap<>();
        int images;

        Answer(int status, String contentType, byte[] body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }

        static Answer bytes(int status, String type, byte[] body) {
            return new Answer(status, type, body);
        }

        static Answer text(int status, String text) {
            return new Answer(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }

        static Answer json(Object doc) throws IOException {
            return new Answer(
                    200,
                    "application/json",
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
        }

        static Answer error(int status, String reason) {
            ObjectNode o = JSON.createObjectNode();
            o.put("status", status);
            o.put("error", reason);
            try {
                return new Answer(status, "application/json", JSON.writeValueAsBytes(o));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The request was not answered within its deadline. */
    private static final class DeadlineException extends RuntimeException {
        DeadlineException() {
            super(
                    "the request was not answered within its deadline; the service is busy, retry later or ask for less",
                    null,
                    false,
                    false);
        }
    }

    /** The client went away while its request was read. */
    private static final class ClientGoneException extends RuntimeException {
        ClientGoneException() {
            super(null, null, false, false);
        }
    }

    /** Stops listening, fails what waits, unloads nothing (the pool's owner closes it). */
    @Override
    public void close() {
        poller.shutdownNow();
        http.stop(0);
        queue.close();
        handlers.shutdownNow();
    }
}
