import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load on {@code causalcxr serve}: C clients, each sending the next request as soon as
 * its previous one is answered, for a fixed time after a warm-up. Every request uploads the same
 * image with its own seed and asks for "moderate right pleural effusion", n counterfactuals, the given
 * DDIM steps, guidance 2 (sent, so that the load does not follow the served model's own settings),
 * answered as JSON with references (the service has made and encoded every image by then). Prints one
 * Markdown table row per concurrency level:
 * clients | requests | errors | counterfactuals/s | requests/s | p50 ms | p90 ms | p99 ms | max ms.
 *
 * <p>Run with the JDK's source launcher: {@code java bench/serve/ServeLoad.java URL IMAGE N STEPS WARMUP_S RUN_S C...}
 */
public final class ServeLoad {
    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        byte[] image = Files.readAllBytes(Path.of(args[1]));
        int n = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        double warmup = Double.parseDouble(args[4]);
        double run = Double.parseDouble(args[5]);
        String token = System.getenv("CAUSALCXR_SERVE_TOKEN");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        AtomicLong seeds = new AtomicLong(1000);
        for (int i = 6; i < args.length; i++) {
            int clients = Integer.parseInt(args[i]);
            level(http, base, token, image, n, steps, clients, warmup, seeds);
            Result r = level(http, base, token, image, n, steps, clients, run, seeds);
            List<Long> lat = new ArrayList<>(r.latenciesNanos);
            Collections.sort(lat);
            System.out.printf(Locale.ROOT, "| %d | %d | %d | **%.1f** | %.2f | %.0f | %.0f | %.0f | %.0f |%n", clients, lat.size(),
                    r.errors.get(), r.ok.get() * (double) n / r.seconds, r.ok.get() / r.seconds, pct(lat, 50), pct(lat, 90),
                    pct(lat, 99), lat.isEmpty() ? Double.NaN : lat.get(lat.size() - 1) / 1e6);
        }
    }

    record Result(ConcurrentLinkedQueue<Long> latenciesNanos, AtomicLong ok, AtomicLong errors, double seconds) {
    }

    static double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    static Result level(HttpClient http, URI base, String token, byte[] image, int n, int steps, int clients, double seconds,
                        AtomicLong seeds) throws InterruptedException {
        ConcurrentLinkedQueue<Long> lat = new ConcurrentLinkedQueue<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        long seed = seeds.incrementAndGet();
                        String boundary = "----serveload" + seed;
                        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v1/counterfactuals"))
                                .timeout(Duration.ofSeconds(120))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body(boundary, image, n, steps, seed)));
                        if (token != null) {
                            b.header("Authorization", "Bearer " + token);
                        }
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                            long t1 = System.nanoTime();
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                                lat.add(t1 - t0);
                            } else {
                                errors.incrementAndGet();
                                System.err.println("status " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
            t.start();
        }
        done.await();
        return new Result(lat, ok, errors, (System.nanoTime() - start) / 1e9);
    }

    static byte[] body(String boundary, byte[] image, int n, int steps, long seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(image);
        StringBuilder s = new StringBuilder("\r\n");
        field(s, boundary, "finding", "moderate right pleural effusion");
        field(s, boundary, "n", String.valueOf(n));
        field(s, boundary, "steps", String.valueOf(steps));
        field(s, boundary, "guidance", "2.0");
        field(s, boundary, "seed", String.valueOf(seed));
        field(s, boundary, "format", "json");
        s.append("--").append(boundary).append("--\r\n");
        out.writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static void field(StringBuilder s, String boundary, String name, String value) {
        s.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(name)
                .append("\"\r\n\r\n").append(value).append("\r\n");
    }
}
