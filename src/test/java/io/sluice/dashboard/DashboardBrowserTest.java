package io.sluice.dashboard;

import static io.sluice.testing.Http.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sluice.testing.TestCredentials;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator dashboard in a real headless Chromium against a running Sluice, once for each
 * kind of admin. A tenant's admin key: the page shows that tenant's tiles alone (reconciliation,
 * dead letters, drift) and its alerts live through EventSource, none of the platform's. The
 * platform's bootstrap key: the replica's rates and totals move while events arrive, with the lag
 * per partition and the pitfall report, and no tenant's alert stream. Saved as
 * {@code target/dashboard-tenant.png} and {@code target/dashboard.png}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} (what {@code .ci/run}
 * installs). Without them the test is skipped, unless {@code SLUICE_REQUIRE_BROWSER=1}
 * (CI sets it) makes their absence a failure.
 */
@QuarkusTest
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final File CHROMEDRIVER = new File(System.getProperty("chromedriver.path", "/usr/bin/chromedriver"));
    private static final String CHROMIUM = System.getProperty("chromium.path", "/usr/bin/chromium");
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The tiles that add up every tenant or show Kafka's settings: the platform operator's. */
    private static final List<String> PLATFORM_FIGURES =
            List.of("ingest-rate", "sink-rate", "dedup-rate", "lag-total", "accepted-total", "pitfalls-status");

    @TestHTTPResource("/")
    URI app;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String tenant = "dashboard-" + run;
    private final AtomicBoolean sending = new AtomicBoolean();
    private ChromeDriver browser;

    @Test
    void aTenantsAdminSeesItsOwnFiguresAndAnAlertAppears() throws Exception {
        requireBrowser();
        String key = TestCredentials.createKey(app, tenant, "admin", "ingest", "subscribe");
        anonymous()
                .header("Authorization", "Bearer " + key)
                .contentType("application/json")
                .body(
                        "{\"name\":\"too hot\",\"kind\":\"threshold\",\"severity\":\"critical\",\"type\":\"dashboard.test\","
                                + "\"pointer\":\"/temperature\",\"op\":\">\",\"value\":80}")
                .post("/v1/rules")
                .then()
                .statusCode(201);

        WebDriverWait wait = connect(key, "Tenant " + tenant);
        for (String id : PLATFORM_FIGURES) {
            assertThat(browser.findElement(By.id(id)).isDisplayed())
                    .as("the platform's tile %s, hidden from a tenant", id)
                    .isFalse();
        }
        assertThat(browser.findElement(By.id("alerts")).isDisplayed()).isTrue();

        CompletableFuture<Void> load = load(key);
        try {
            post(key, 9_999, 1, 95); // too hot
            wait.withMessage("the alert never appeared")
                    .until(ExpectedConditions.textToBePresentInElementLocated(
                            By.cssSelector("#alerts li.firing"), "too hot"));
            wait.withMessage("the tenant's events never reached the reconciliation tile")
                    .until(driver -> figure("reconcile-acknowledged") >= 500);
        } catch (RuntimeException e) {
            throw failed(e);
        } finally {
            stop(load);
        }
        // The tenant's last hour: every event Kafka acknowledged is counted and, once stored, accounted for.
        try {
            wait.withMessage("the reconciliation tile never caught up")
                    .until(driver -> figure("reconcile-stored") == figure("reconcile-acknowledged")
                            && figure("reconcile-answered") == figure("reconcile-acknowledged"));
        } catch (RuntimeException e) {
            throw failed(e);
        }
        assertThat(browser.findElement(By.id("reconcile-drift")).getText()).isEqualTo("0");
        assertThat(browser.findElement(By.id("dead-letters")).getText()).isEqualTo("0");
        screenshot("dashboard-tenant.png");
    }

    @Test
    void thePlatformOperatorSeesTheRatesLagAndPitfalls() throws Exception {
        requireBrowser();
        String key = TestCredentials.createKey(app, tenant, "ingest");
        WebDriverWait wait = connect(TestCredentials.BOOTSTRAP, "Platform, every tenant");
        assertThat(browser.findElement(By.id("alerts")).isDisplayed())
                .as("alerts are a tenant's")
                .isFalse();
        long acceptedBefore = figure("accepted-total");

        CompletableFuture<Void> load = load(key);
        try {
            wait.withMessage("the ingest rate never moved")
                    .until(driver -> figure("ingest-rate") > 0 && figure("sink-rate") > 0);
            wait.withMessage("the accepted total never grew")
                    .until(driver -> figure("accepted-total") >= acceptedBefore + 500);
            wait.withMessage("every tenant's last hour holds this run's events")
                    .until(driver -> figure("reconcile-acknowledged") >= 500);
        } catch (RuntimeException e) {
            throw failed(e);
        } finally {
            stop(load);
        }
        assertThat(browser.findElement(By.id("pitfalls-status")).getText()).isNotEqualTo("–");
        assertThat(browser.findElements(By.cssSelector("#lag-partitions tr"))).hasSizeGreaterThan(1);
        screenshot("dashboard.png");
    }

    private static void requireBrowser() {
        boolean required = "1".equals(System.getenv("SLUICE_REQUIRE_BROWSER"));
        if (!required) {
            assumeTrue(CHROMEDRIVER.canExecute(), "no chromedriver at " + CHROMEDRIVER + ": browser test skipped");
        }
    }

    /** Opens the page, pastes {@code key} and waits for the status to name whose figures these are. */
    private WebDriverWait connect(String key, String whose) throws Exception {
        anonymous()
                .header("Authorization", "Bearer " + key)
                .get("/v1/admin/overview")
                .then()
                .statusCode(200);
        browser = startBrowser();
        browser.get(app.toString());
        browser.findElement(By.id("key")).sendKeys(key);
        browser.findElement(By.cssSelector("#connect button")).click();
        WebDriverWait wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), whose));
        return wait;
    }

    /** Batches of 50 events every 250 ms, until {@link #stop}. */
    private CompletableFuture<Void> load(String key) {
        sending.set(true);
        return CompletableFuture.runAsync(() -> {
            for (int batch = 0; sending.get() && batch < 200; batch++) {
                post(key, batch, 50, 20);
                sleep(250);
            }
        });
    }

    private void stop(CompletableFuture<Void> load) throws Exception {
        sending.set(false);
        load.get(30, TimeUnit.SECONDS); // and fails the test if the load did
    }

    private AssertionError failed(RuntimeException e) throws IOException {
        save(Path.of("target", "dashboard-failed.png"));
        return new AssertionError(
                "dashboard status: " + browser.findElement(By.id("status")).getText(), e);
    }

    private void screenshot(String name) throws IOException {
        Path screenshot = Path.of("target", name);
        save(screenshot);
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }

    private void save(Path screenshot) throws IOException {
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static ChromeDriver startBrowser() throws Exception {
        // An explicit driver path: Selenium Manager, which would download one, is never asked.
        Path scratch = Files.createDirectories(Path.of("target", "browser-tmp").toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .withEnvironment(Map.of("TMPDIR", scratch.toString()))
                // Warnings only: at INFO the driver logs every command, the typed key included.
                .withLogLevel(ChromiumDriverLogLevel.WARNING)
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox", // CI runs as root
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1440,1043", // a 1440x900 viewport: a laptop screen
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync");
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return driver;
    }

    /** The number a tile shows, or -1 while it shows none. */
    private long figure(String id) {
        String text = browser.findElement(By.id(id)).getText().replace(",", "").trim();
        return text.matches("\\d+") ? Long.parseLong(text) : -1;
    }

    private void post(String key, int batch, int count, int temperature) {
        ArrayNode events = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            ObjectNode event = events.addObject()
                    .put("specversion", "1.0")
                    .put("id", "dashboard-" + batch + "-" + i)
                    .put("source", "/dashboard-test/" + run)
                    .put("type", "dashboard.test")
                    .put("subject", "sensor-" + (i % 5));
            event.putObject("data").put("temperature", temperature);
        }
        anonymous()
                .header("Authorization", "Bearer " + key)
                .contentType("application/cloudevents-batch+json")
                .body(events.toString())
                .post("/v1/events")
                .then()
                .statusCode(202);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
