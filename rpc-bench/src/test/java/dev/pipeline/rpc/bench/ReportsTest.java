package dev.pipeline.rpc.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.Role;
import dev.pipeline.rpc.tck.latency.LatencyResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The report and the chart, from synthetic numbers (no broker). */
class ReportsTest {
    private static final BenchOptions OPTIONS = BenchOptions.builder().inFlight(List.of(1, 256))
            .payloads(List.of(100, 10240)).variants(true).build();

    private static LatencyResult point(int payload, int inFlight, double p50, double p99, double perSecond) {
        return new LatencyResult("x", inFlight == 1 ? "sequential" : "pipelined", inFlight, payload, 1000, 0, null, 3,
                perSecond, p50, p50 * 1.2, p99, p99 * 1.5, p99 * 2, p50 * 1.1);
    }

    /** Kafka: pipeline, floor, Spring and two variants; Redis: pipeline and floor; Redis is 4× faster sequentially. */
    private static ComparisonResult synthetic() {
        List<Measurement> ms = new ArrayList<>();
        for (int payload : List.of(100, 10240)) {
            ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(payload, 1, 1200, 2400, 800)));
            ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(payload, 1, 1100, 2200, 850)));
            ms.add(new Measurement("kafka", "spring ReplyingKafkaTemplate", Role.COMPETITOR,
                    point(payload, 1, 1250, 3600, 780)));
            ms.add(new Measurement("kafka", "pipeline, direct executor", Role.VARIANT, point(payload, 1, 1, 1, 1)));
            ms.add(new Measurement("kafka", "pipeline ?linger.ms=5", Role.VARIANT, point(payload, 1, 1, 1, 1)));
            ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(payload, 256, 3000, 12000, 60000),
                    0.02, null));
            ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(payload, 256, 2800, 11000, 75000)));
            ms.add(new Measurement("kafka", "spring ReplyingKafkaTemplate", Role.COMPETITOR,
                    point(payload, 256, 3700, 18000, 50000)));
            ms.add(new Measurement("redis", "pipeline", Role.PIPELINE, point(payload, 1, 300, 600, 3000)));
            ms.add(new Measurement("redis", "raw floor", Role.FLOOR, point(payload, 1, 250, 600, 3400)));
            ms.add(new Measurement("redis", "pipeline", Role.PIPELINE, point(payload, 256, 6800, 16000, 30000)));
            ms.add(new Measurement("redis", "raw floor", Role.FLOOR, point(payload, 256, 5800, 13000, 40000)));
        }
        return new ComparisonResult(Instant.parse("2026-01-01T00:00:00Z"), 170, OPTIONS,
                Map.of("cores", "2", "java", "test"), Map.of("kafka", "test broker", "redis", "test broker"),
                Map.of("kafka / pipeline", "defaults"), ms, List.of(), Map.of("kafka settle", "JIT quiet after 9 s"),
                List.of());
    }

    @Test
    void theReportOpensWithTheVerdictPerWorkloadBesideEachBrokersFloor() {
        String md = synthetic().markdown();
        List<String> headings = md.lines().filter(l -> l.startsWith("#")).toList();
        assertThat(headings).startsWith("# Pipeline broker comparison", "## Verdict");
        assertThat(md).doesNotContain("target");
        List<String> verdict = md.lines().dropWhile(l -> !l.startsWith("| workload")).takeWhile(l -> l.startsWith("|"))
                .toList();
        assertThat(verdict.get(0)).isEqualTo("| workload | winner | kafka: pipeline | kafka: raw floor | redis: pipeline"
                + " | redis: raw floor |");
        assertThat(verdict).hasSize(2 + 4).contains(
                "| 100 B, 1 in flight, p50 µs | **redis**, 4.00× faster | 1,200 | 1,100 | 300 | 250 |",
                "| 10 KB, 256 in flight, calls/s | **kafka**, 2.00× the calls/s | 60,000 | 75,000 | 30,000 | 40,000 |");
        // then Pipeline's ratios to the floor and to Spring, before the tables
        assertThat(md).contains("| kafka | 100 B | raw floor | 1.09× | 1.09× | 0.80× |",
                "| kafka | 100 B | spring ReplyingKafkaTemplate | 0.96× | 0.67× | 1.20× |",
                "| redis | 10 KB | raw floor | 1.20× | 1.00× | 0.75× |");
        assertThat(md.indexOf("## Verdict")).isLessThan(md.indexOf("## Sequential latency"));
        assertThat(md.indexOf("## Sequential latency")).isLessThan(md.indexOf("## Throughput"));
        assertThat(md).contains("| kafka | pipeline | 100 B | 800 | 60,000 |", "## The run", "Machine: ");
    }

    @Test
    void withOneBrokerThereIsNoWinnerButTheFiguresStay() {
        ComparisonResult all = synthetic();
        ComparisonResult kafka = new ComparisonResult(all.startedAt(), 1, OPTIONS, all.machine(), all.brokers(),
                all.setups(), all.measurements().stream().filter(m -> m.broker().equals("kafka")).toList(), List.of(),
                Map.of(), List.of());
        assertThat(Reports.verdicts(kafka)).hasSize(4).allSatisfy(v -> {
            assertThat(v.winner()).isNull();
            assertThat(v.pipeline()).containsOnlyKeys("kafka");
        });
        assertThat(kafka.markdown()).contains("| 100 B, 1 in flight, p50 µs | – | 1,200 | 1,100 |");
    }

    @Test
    void diagnosticsGoIntoTheJsonOnly() {
        ComparisonResult r = synthetic();
        JsonObject json = JsonParser.parseString(r.json()).getAsJsonObject();
        assertThat(json.getAsJsonArray("measurements")).hasSize(24);
        assertThat(json.getAsJsonArray("verdicts")).hasSize(4);
        assertThat(json.getAsJsonObject("diagnostics").get("kafka settle").getAsString()).contains("JIT quiet");
        assertThat(r.json()).contains("\"jitShare\": 0.02");
        assertThat(r.markdown()).doesNotContain("JIT quiet").doesNotContain("jitShare").doesNotContain("0.02");
    }

    @Test
    void theChartShowsP50AndP99ByPayloadAndThroughputByInFlightPerBrokerWithAtMostFourSeries() {
        List<Chart.Panel> panels = Chart.panels(synthetic());
        assertThat(panels).extracting(Chart.Panel::title).containsExactly(
                "kafka: sequential p50 by payload", "kafka: sequential p99 by payload",
                "kafka: calls/s by calls in flight, 100 B", "kafka: calls/s by calls in flight, 10 KB",
                "redis: sequential p50 by payload", "redis: sequential p99 by payload",
                "redis: calls/s by calls in flight, 100 B", "redis: calls/s by calls in flight, 10 KB");
        assertThat(panels).allSatisfy(p -> assertThat(p.series()).hasSizeLessThanOrEqualTo(Chart.MAX_SERIES));
        // Kafka has five implementations: Pipeline, its floor and Spring come first, one variant fills the fourth
        assertThat(panels.get(0).series()).extracting(Chart.Series::name).containsExactly("pipeline", "raw floor",
                "spring ReplyingKafkaTemplate", "pipeline, direct executor");
        assertThat(panels.get(0).groups()).containsExactly("100 B", "10 KB");
        assertThat(panels.get(0).series().get(0).values()).containsExactly(1200, 1200);
        assertThat(panels.get(1).series().get(2).values()).containsExactly(3600, 3600);
        assertThat(panels.get(2).groups()).containsExactly("1 in flight", "256 in flight");
        assertThat(panels.get(2).series().get(1).values()).containsExactly(850, 75000);
        assertThat(panels.get(4).series()).extracting(Chart.Series::name).containsExactly("pipeline", "raw floor");
    }

    @Test
    void theChartIsAReadableImage(@TempDir Path dir) throws Exception {
        Path chart = Chart.write(synthetic(), dir.resolve("chart.png"));
        BufferedImage img = ImageIO.read(chart.toFile());
        assertThat(img.getWidth()).isGreaterThan(1000);
        assertThat(img.getHeight()).isGreaterThan(400);
    }

    @Test
    void theMedianRoundIsAMeasuredRound() {
        LatencyResult a = point(100, 1, 100, 200, 10);
        LatencyResult b = point(100, 1, 300, 900, 10);
        LatencyResult c = point(100, 1, 200, 400, 10);
        assertThat(BrokerComparison.median(List.of(a, b, c))).isSameAs(c);
        LatencyResult x = point(100, 256, 1, 1, 1000);
        LatencyResult y = point(100, 256, 1, 1, 3000);
        LatencyResult z = point(100, 256, 1, 1, 2000);
        assertThat(BrokerComparison.median(java.util.Arrays.asList(x, y, null, z))).isSameAs(z);
        assertThat(BrokerComparison.median(List.of(x, y))).isSameAs(y);
        assertThat(BrokerComparison.median(List.of())).isNull();
    }

    @Test
    void everyImplementationGoesFirstOnceAtEveryPointOverAsManyRounds() {
        for (int implementations : new int[] {2, 3, 4, 8}) {
            for (int point = 0; point < 8; point++) {
                Set<Integer> firsts = new HashSet<>();
                for (int round = 1; round <= implementations; round++) {
                    firsts.add(BrokerComparison.turnShift(point, round, implementations));
                }
                assertThat(firsts).as("%d implementations, point %d", implementations, point).hasSize(implementations);
            }
        }
        assertThat(BrokerComparison.turnShift(5, 3, 1)).isZero();
    }
}
