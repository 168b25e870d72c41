package dev.causalcxr.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.infra.stack.PlatformStack;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The web page in a real browser: headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them) driven through chromedriver. It uploads an
 * image, asks for "moderate right pleural effusion" with the keyboard, and checks that the page shows n
 * images whose bytes are the API's answer for the same seed; then a study of the imported dataset with
 * structured findings. Its screenshot is {@code cli/target/serve-page.png} (the README's).
 *
 * <p>By default it trains the tiny model of {@link ServeFixture}. {@code -Dcausalcxr.e2e.dataDir=DIR}
 * (with {@code -Dcausalcxr.e2e.model=NAME}, default {@code demo}, and {@code -Dcausalcxr.e2e.image=PNG})
 * serves a model already trained there instead, e.g. the quick demo's, for a screenshot that shows
 * something.
 */
@Tag("e2e")
public class CounterfactualPageE2ETest {
    static final String FINDING = "moderate right pleural effusion";
    static final int N = 4;
    static final long SEED = 20261203L;
    static final int STEPS = 25;

    @TempDir
    static Path dir;

    static String model;
    static Path image;
    static PlatformStack stack;
    static ServiceHost host;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        String external = System.getProperty("causalcxr.e2e.dataDir");
        if (external == null) {
            ServeFixture fx = new ServeFixture(dir);
            model = ServeFixture.MODEL;
            image = fx.image;
            stack = fx.stack();
        } else {
            System.setProperty("CAUSALCXR_MLFLOW", "off");
            model = System.getProperty("causalcxr.e2e.model", "demo");
            image = Path.of(System.getProperty("causalcxr.e2e.image"));
            java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
            env.put("CAUSALCXR_MLFLOW", "off");
            stack = PlatformStack.start(
                    dev.causalcxr.infra.stack.StackConfig.fromEnvironment(Path.of(external), env)
                            .withMlflowEnabled(false),
                    false);
        }
        host = ServiceHost.start(stack, model, ServeSettings.defaults());
        browser = chromium();
    }

    /** Debian's Chromium through its chromedriver, headless; nothing is downloaded. */
    public static WebDriver chromium() {
        File binary = new File(System.getProperty("causalcxr.chromium", "/usr/bin/chromium"));
        File driver = new File(System.getProperty("causalcxr.chromedriver", "/usr/bin/chromedriver"));
        if (!binary.canExecute() || !driver.canExecute()) {
            throw new IllegalStateException(
                    "the browser test needs Chromium and its driver: apt-get install -y chromium "
                            + "chromium-driver (or -Dcausalcxr.chromium=... -Dcausalcxr.chromedriver=...)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1100",
                "--force-device-scale-factor=1",
                "--force-prefers-reduced-motion");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver)
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (host != null) {
            host.close();
        }
        if (stack != null) {
            stack.close();
        }
        System.clearProperty("CAUSALCXR_MLFLOW");
    }

    /** Polls until the page meets a condition (two minutes at most). */
    private static void until(java.util.function.Predicate<WebDriver> condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < end) {
            try {
                if (condition.test(browser)) {
                    return;
                }
            } catch (org.openqa.selenium.WebDriverException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(
                "the page never got there; status: "
                        + browser.findElement(By.id("status")).getText(),
                last);
    }

    /** The bytes behind each shown image of a role, in page order (fetched from their blob URLs by the page). */
    @SuppressWarnings("unchecked")
    private static List<byte[]> shownBytes(String role) {
        Object got = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const imgs = Array.from(document.querySelectorAll('img[data-role="' + arguments[0] + '"]'));
                Promise.all(imgs.map(img => fetch(img.src).then(r => r.arrayBuffer()).then(b => {
                  const u = new Uint8Array(b); let s = '';
                  for (let i = 0; i < u.length; i++) { s += String.fromCharCode(u[i]); }
                  return btoa(s);
                }))).then(done, e => done(['ERROR ' + e]));
                """, role);
        List<byte[]> out = new ArrayList<>();
        for (Object o : (List<Object>) got) {
            assertTrue(!String.valueOf(o).startsWith("ERROR"), String.valueOf(o));
            out.add(Base64.getDecoder().decode((String) o));
        }
        return out;
    }

    private static void tabTo(String id) {
        Actions keys = new Actions(browser);
        for (int i = 0; i < 60; i++) {
            if (id.equals(browser.switchTo().activeElement().getAttribute("id"))) {
                return;
            }
            keys.sendKeys(Keys.TAB).perform();
        }
        throw new AssertionError("the keyboard never reached #" + id);
    }

    @Test
    void anUploadedImageWithAFindingShowsTheApisImagesForTheSameSeed() throws Exception {
        browser.get(host.server().uri().toString());
        until(d -> d.findElement(By.id("served")).getText().startsWith("Serving "));
        until(d -> !d.findElements(By.cssSelector("#model option")).isEmpty());
        browser.findElement(By.id("image")).sendKeys(image.toAbsolutePath().toString());
        WebElement finding = browser.findElement(By.id("finding"));
        finding.clear();
        finding.sendKeys(FINDING);
        for (String[] f : new String[][] {
            {"n", String.valueOf(N)}, {"seed", String.valueOf(SEED)}, {"steps", String.valueOf(STEPS)}
        }) {
            WebElement e = browser.findElement(By.id(f[0]));
            e.clear();
            e.sendKeys(f[1]);
        }
        // to the button and press it with the keyboard
        browser.findElement(By.id("steps")).click();
        tabTo("generate");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        until(
                d -> d.findElement(By.id("status")).getText().contains(N + " counterfactuals in")
                        && d.findElements(By.cssSelector("img[data-role=counterfactual]"))
                                        .size()
                                == N
                        && (Boolean)
                                ((JavascriptExecutor) d)
                                        .executeScript(
                                                "return Array.from(document.querySelectorAll('#grid img')).every(i => i.complete && i.naturalWidth > 0)"));
        assertEquals(
                "results-title",
                browser.switchTo().activeElement().getAttribute("id"),
                "the result's heading takes the focus");
        assertEquals(
                String.valueOf(SEED), browser.findElement(By.id("shown-seed")).getText());
        assertTrue(browser.findElement(By.id("provenance")).getText().contains("git_commit"));
        assertEquals(
                N,
                browser.findElements(By.cssSelector("img[data-role=difference]"))
                        .size());
        List<byte[]> shown = shownBytes("counterfactual");

        ServeFixture.Client api = new ServeFixture.Client(host.server().uri(), null);
        HttpResponse<byte[]> r = api.post(new ServeFixture.Form()
                .file("image", "x.png", "image/png", Files.readAllBytes(image))
                .field("finding", FINDING)
                .field("n", N)
                .field("seed", SEED)
                .field("steps", STEPS)
                .field("guidance", "2.0"));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        Map<String, byte[]> answer = api.images(api.json(r));
        assertEquals(N, shown.size());
        int i = 0;
        for (byte[] expected : answer.values()) {
            assertArrayEquals(expected, shown.get(i), "image " + (i + 1) + " on the page = the API's");
            i++;
        }
        Path shot = Path.of("target", "serve-page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void aStudyWithStructuredFindingsCanBeChosenWithTheKeyboard() throws Exception {
        browser.get(host.server().uri().toString());
        until(d -> !d.findElements(By.cssSelector("#model option")).isEmpty());
        // radio groups move with the arrow keys
        browser.findElement(By.cssSelector("input[name=source-kind][value=upload]"))
                .sendKeys(Keys.ARROW_RIGHT);
        until(d -> d.findElement(By.id("source-study")).isDisplayed());
        until(d -> !d.findElements(By.cssSelector("#study option")).isEmpty());
        browser.findElement(By.cssSelector("input[name=finding-kind][value=text]"))
                .sendKeys(Keys.ARROW_RIGHT);
        until(d -> d.findElement(By.id("finding-structured")).isDisplayed());
        assertEquals(1, browser.findElements(By.cssSelector("#mentions tr")).size(), "one finding to start with");
        WebElement n = browser.findElement(By.id("n"));
        n.clear();
        n.sendKeys("2", Keys.ENTER);
        until(d ->
                d.findElements(By.cssSelector("img[data-role=counterfactual]")).size() == 2
                        && d.findElement(By.id("summary")).getText().contains("Pleural Effusion(moderate,right"));
    }
}
