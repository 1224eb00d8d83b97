package dev.pipeline.rpc.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.TargetCheck;
import dev.pipeline.rpc.tck.latency.LatencyResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The report and the chart, from synthetic numbers (no broker). */
class ReportsTest {
    private static final BenchOptions OPTIONS = BenchOptions.builder().inFlight(List.of(1, 16, 256))
            .payloads(List.of(100)).build();

    private static LatencyResult point(int inFlight, double p50, double p99, double perSecond) {
        return new LatencyResult("x", inFlight == 1 ? "sequential" : "pipelined", inFlight, 100, 1000, 0, null, 3,
                perSecond, p50, p50 * 1.2, p99, p99 * 1.5, p99 * 2, p50 * 1.1);
    }

    private static ComparisonResult synthetic(List<Measurement> ms) {
        return new ComparisonResult(Instant.parse("2026-01-01T00:00:00Z"), 42, OPTIONS,
                Map.of("cores", "2", "java", "test"), Map.of("kafka", "test broker"),
                Map.of("kafka / pipeline", "defaults"), ms, List.of(), List.of());
    }

    private static List<Measurement> kafka(double oursP50, double oursTop) {
        List<Measurement> ms = new ArrayList<>();
        ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(1, oursP50, 400, 5000)));
        ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(1, 150, 300, 6000)));
        ms.add(new Measurement("kafka", "spring", Role.COMPETITOR, point(1, 3000, 6000, 300)));
        ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(16, 500, 900, 30000)));
        ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(16, 400, 800, 40000)));
        ms.add(new Measurement("kafka", "spring", Role.COMPETITOR, point(16, 5000, 9000, 3000)));
        ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(256, 2000, 9000, oursTop)));
        ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(256, 1500, 7000, 200000)));
        ms.add(new Measurement("kafka", "spring", Role.COMPETITOR, point(256, 50000, 90000, 5000)));
        return ms;
    }

    @Test
    void targetsAreCheckedAgainstTheFloorAndTheCompetitor() {
        List<TargetCheck> t = synthetic(kafka(170, 150000)).targets();
        assertThat(t).extracting(TargetCheck::target).containsExactly(
                "sequential p50 ≤ 1.2× raw floor",
                "throughput at 256 in flight ≥ 0.7× raw pipelined floor",
                "sequential p50 better than spring",
                "sequential p99 better than spring",
                "throughput at 256 in flight better than spring");
        assertThat(t).extracting(TargetCheck::met).containsOnly(Optional.of(true));
        assertThat(t.get(0).measured()).isEqualTo("170 vs 150 µs = 1.13×");

        List<TargetCheck> missed = synthetic(kafka(200, 100000)).targets();
        assertThat(missed.get(0).met()).contains(false);
        assertThat(missed.get(1).met()).contains(false);
        assertThat(missed.get(1).measured()).isEqualTo("100,000 vs 200,000 calls/s = 0.50×");
    }

    @Test
    void aMissingPointIsNotMeasuredRatherThanMissed() {
        List<Measurement> ms = new ArrayList<>(kafka(170, 150000));
        ms.removeIf(m -> m.role() == Role.FLOOR);
        assertThat(synthetic(ms).targets().get(0).met()).isEmpty();
        assertThat(synthetic(ms).targets().get(0).measured()).isEqualTo("not measured");
    }

    @Test
    void markdownHasTheTablesAndRatios() {
        String md = synthetic(kafka(170, 150000)).markdown();
        assertThat(md).contains("## Targets", "## Sequential latency (1 call in flight), µs",
                "## Throughput, calls/s, by calls in flight", "## Latency under load",
                "| kafka | pipeline | 100 B | 170 | 204 | 400 | 600 | 800 | 1.13× | 1.33× |",
                "| kafka | pipeline | 100 B | 5,000 | 30,000 | 150,000 | 0.75× |",
                "| kafka | raw floor | 100 B | 150 |", "cores 2", "at sequential points the implementations of a broker"
                        + " are interleaved (call by call in turn, in an order shuffled every cycle), at the others"
                        + " they take turns.").doesNotContain("new instances");
    }

    @Test
    void cpuPerCallIsTabledWithTheRatioToTheFloorsTotal() {
        List<Measurement> ms = new ArrayList<>();
        ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(256, 2000, 9000, 100000),
                new ComparisonResult.CpuPerCall(12.0, 6.0)));
        ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(256, 1500, 7000, 200000),
                new ComparisonResult.CpuPerCall(6.0, 3.0)));
        ms.add(new Measurement("kafka", "spring", Role.COMPETITOR, point(256, 1500, 7000, 200000),
                new ComparisonResult.CpuPerCall(9.0, Double.NaN)));
        ComparisonResult r = synthetic(ms);
        assertThat(r.markdown()).contains("## CPU per call, µs", "| kafka | pipeline | 100 B | – | – | 12.0 + 6.0 | 2.00× |",
                "| kafka | raw floor | 100 B | – | – | 6.0 + 3.0 | – |", "| kafka | spring | 100 B | – | – | 9.0 | 1.00× |");
        JsonObject first = JsonParser.parseString(r.json()).getAsJsonObject().getAsJsonArray("measurements").get(0)
                .getAsJsonObject();
        assertThat(first.get("cpuBenchMicrosPerCall").getAsDouble()).isEqualTo(12.0);
        assertThat(first.get("cpuBrokerMicrosPerCall").getAsDouble()).isEqualTo(6.0);
        assertThat(synthetic(kafka(170, 150000)).markdown()).doesNotContain("## CPU per call");
    }

    @Test
    void aPointTheJitIntrudedOnIsMarked() {
        List<Measurement> ms = new ArrayList<>();
        ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(256, 2000, 9000, 100000),
                new ComparisonResult.CpuPerCall(12.0, 6.0, 0.12)));
        ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(256, 1500, 7000, 200000),
                new ComparisonResult.CpuPerCall(6.0, 3.0, 0.01)));
        ComparisonResult r = synthetic(ms);
        assertThat(r.markdown()).contains("| kafka | pipeline | 100 B | – | – | 12.0 + 6.0 (JIT 12%) | 2.00× |",
                "| kafka | raw floor | 100 B | – | – | 6.0 + 3.0 | – |");
        JsonObject first = JsonParser.parseString(r.json()).getAsJsonObject().getAsJsonArray("measurements").get(0)
                .getAsJsonObject();
        assertThat(first.get("jitShare").getAsDouble()).isEqualTo(0.12);
    }

    @Test
    void kafkaRequestsPerCallAreTabledWithTheRatioToTheFloor() {
        List<Measurement> ms = new ArrayList<>();
        ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, point(256, 2000, 9000, 100000), null,
                new ComparisonResult.KafkaRequestsPerCall(0.068, 0.045)));
        ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, point(256, 1500, 7000, 200000), null,
                new ComparisonResult.KafkaRequestsPerCall(0.05, 0.035)));
        ms.add(new Measurement("kafka", "spring", Role.COMPETITOR, point(256, 1500, 7000, 200000)));
        ComparisonResult r = synthetic(ms);
        assertThat(r.markdown()).contains("## Kafka requests per call, produce + fetch",
                "| kafka | pipeline | 100 B | – | – | 0.068 + 0.045 | 1.33× |",
                "| kafka | raw floor | 100 B | – | – | 0.050 + 0.035 | – |")
                .doesNotContain("| kafka | spring | 100 B | – | – | – |");
        JsonObject first = JsonParser.parseString(r.json()).getAsJsonObject().getAsJsonArray("measurements").get(0)
                .getAsJsonObject();
        assertThat(first.get("kafkaProduceRequestsPerCall").getAsDouble()).isEqualTo(0.068);
        assertThat(first.get("kafkaFetchRequestsPerCall").getAsDouble()).isEqualTo(0.045);
        assertThat(synthetic(kafka(170, 150000)).markdown()).doesNotContain("## Kafka requests per call");
    }

    @Test
    void jsonCarriesEveryMeasurementAndTarget() {
        JsonObject j = JsonParser.parseString(synthetic(kafka(170, 150000)).json()).getAsJsonObject();
        assertThat(j.getAsJsonArray("measurements")).hasSize(9);
        JsonObject first = j.getAsJsonArray("measurements").get(0).getAsJsonObject();
        assertThat(first.get("broker").getAsString()).isEqualTo("kafka");
        assertThat(first.get("role").getAsString()).isEqualTo("pipeline");
        assertThat(first.get("p50Micros").getAsDouble()).isEqualTo(170);
        assertThat(j.getAsJsonArray("targets")).hasSize(5);
        assertThat(j.getAsJsonObject("options").getAsJsonArray("inFlight")).hasSize(3);
    }

    @Test
    void chartIsAReadableImage(@TempDir Path dir) throws Exception {
        Path chart = Chart.write(synthetic(kafka(170, 150000)), dir);
        assertThat(chart).exists();
        if (chart.toString().endsWith(".png")) {
            BufferedImage img = ImageIO.read(chart.toFile());
            assertThat(img.getWidth()).isGreaterThan(1000);
            assertThat(img.getHeight()).isGreaterThan(400);
        } else {
            assertThat(Files.readString(chart)).startsWith("<svg").contains("Throughput");
        }
    }

    @Test
    void everySeriesOfAFullRunHasItsOwnColourAndTheLegendWraps() {
        List<String> series = List.of("kafka pipeline", "kafka pipeline, direct executor", "kafka pipeline, no inline",
                "kafka transport only", "kafka raw floor", "kafka raw floor + wire headers",
                "kafka raw floor + wire headers, client id in rpc-id", "kafka spring ReplyingKafkaTemplate",
                "redis pipeline", "redis pipeline, direct executor", "redis transport only", "redis raw floor");
        assertThat(series.stream().map(s -> Chart.color(series, s)).distinct()).hasSize(series.size());
        assertThat(Chart.color(series, "kafka pipeline")).isNotEqualTo(Chart.color(series, "redis pipeline"));
        assertThat(Chart.legendLines(series, s -> 100, 1000)).isEqualTo(2); // 130 px each: 7 on a line
        assertThat(Chart.legendLines(List.of("a", "b"), s -> 100, 1000)).isEqualTo(1);
        assertThat(Chart.legendLines(List.of("a very long name"), s -> 5000, 1000)).as("one entry per line at least")
                .isEqualTo(1);
    }

    @Test
    void theMedianRoundIsAMeasuredRound() {
        LatencyResult a = point(1, 100, 200, 10);
        LatencyResult b = point(1, 300, 900, 10);
        LatencyResult c = point(1, 200, 400, 10);
        assertThat(BrokerComparison.median(List.of(a, b, c))).isSameAs(c);
        LatencyResult x = point(256, 1, 1, 1000);
        LatencyResult y = point(256, 1, 1, 3000);
        LatencyResult z = point(256, 1, 1, 2000);
        assertThat(BrokerComparison.median(List.of(x, y, z))).isSameAs(z);
        assertThat(BrokerComparison.median(List.of(x, y))).isSameAs(y);
        assertThat(BrokerComparison.median(List.of())).isNull();
    }

    @Test
    void withRoundsATargetIsJudgedOnThePerRoundRatios() {
        // median rounds: 200 vs 150 us = 1.33x (missed); per round 1.11, 0.97, 1.33: median 1.11x (met)
        List<LatencyResult> ours = List.of(point(1, 100, 400, 5000), point(1, 300, 400, 5000),
                point(1, 200, 400, 5000));
        List<LatencyResult> floor = List.of(point(1, 90, 300, 6000), point(1, 310, 300, 6000),
                point(1, 150, 300, 6000));
        List<Measurement> ms = new ArrayList<>();
        ms.add(new Measurement("kafka", "pipeline", Role.PIPELINE, BrokerComparison.median(ours), null, null, ours));
        ms.add(new Measurement("kafka", "raw floor", Role.FLOOR, BrokerComparison.median(floor), null, null, floor));
        TargetCheck p50 = synthetic(ms).targets().get(0);
        assertThat(p50.target()).isEqualTo("sequential p50 ≤ 1.2× raw floor");
        assertThat(p50.met()).contains(true);
        assertThat(p50.measured()).isEqualTo("1.11× (per round 1.11, 0.97, 1.33); median rounds 200 vs 150 µs = 1.33×");

        // a failed round pairs with nothing: 1.11 and 1.33 are left, median 1.22x (missed)
        List<LatencyResult> oursFailed = new ArrayList<>(ours);
        oursFailed.set(1, null);
        ms.set(0, new Measurement("kafka", "pipeline", Role.PIPELINE, BrokerComparison.median(oursFailed), null, null,
                oursFailed));
        TargetCheck failed = synthetic(ms).targets().get(0);
        assertThat(failed.met()).contains(false);
        assertThat(failed.measured()).startsWith("1.22× (per round 1.11, 1.33)");
        assertThat(Reports.json(synthetic(ms))).contains("\"rounds\"");
    }

    @Test
    void everyImplementationGoesFirstOnceAtEveryPointOverAsManyRounds() {
        // 2 points per round and 2 implementations (the A/B runs): the order used to be the same in every round
        for (int implementations : new int[] {2, 3, 4, 8}) {
            for (int points : new int[] {1, 2, 4, 6, 8}) {
                for (int point = 0; point < points; point++) {
                    Set<Integer> firsts = new HashSet<>();
                    for (int round = 1; round <= implementations; round++) {
                        firsts.add(BrokerComparison.turnShift(point, round, implementations));
                    }
                    assertThat(firsts).as("%d implementations, %d points, point %d", implementations, points, point)
                            .hasSize(implementations);
                }
            }
        }
        assertThat(BrokerComparison.turnShift(0, 1, 2)).isZero();
        assertThat(BrokerComparison.turnShift(1, 1, 2)).as("the next point starts with the next one").isEqualTo(1);
        assertThat(BrokerComparison.turnShift(5, 3, 1)).isZero();
    }

    @Test
    void svgFallbackDrawsTheSamePicture() {
        Chart.SvgCanvas svg = new Chart.SvgCanvas(100, 50);
        svg.rect(0, 0, 10, 10, java.awt.Color.RED);
        svg.text("a<b", 1, 2, 10, true, Chart.Align.CENTER, java.awt.Color.BLACK);
        assertThat(svg.finish()).contains("fill=\"#ff0000\"", "a&lt;b", "text-anchor=\"middle\"").endsWith("</svg>\n");
    }
}
