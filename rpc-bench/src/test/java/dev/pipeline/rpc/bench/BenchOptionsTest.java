package dev.pipeline.rpc.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {
    @Test
    void defaults() {
        BenchOptions o = BenchOptions.defaults();
        assertThat(o.transports()).isEmpty();
        assertThat(o.inFlight()).containsExactly(1, 16, 64, 256);
        assertThat(o.payloads()).containsExactly(100, 10240);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.outputDir()).isEqualTo(Path.of("bench-results"));
        assertThat(o.floors()).isTrue();
        assertThat(o.competitors()).isTrue();
        assertThat(o.kafkaBootstrap()).isNull();
        assertThat(o.redisUri()).isNull();
        assertThat(o.rounds()).isEqualTo(1);
    }

    @Test
    void parsesFlagsInBothForms() {
        BenchOptions o = BenchOptions.parse("--transports", "redis,KAFKA", "--duration=10s", "--warmup", "500ms",
                "--in-flight", "256,1,64", "--payloads", "1KB,100", "--output", "out/x", "--kafka",
                "kafka://h:9092", "--redis=redis://h:6379", "--no-competitors", "--no-chart", "--rounds", "3",
                "--wire-floor", "--spring-typed", "--spring-large-batches", "--blocking-threads", "--no-interleave",
                "--fresh", "--split-core");
        assertThat(o.transports()).containsExactly("redis", "kafka");
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.warmup()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.inFlight()).containsExactly(1, 64, 256);
        assertThat(o.payloads()).containsExactly(100, 1024);
        assertThat(o.outputDir()).isEqualTo(Path.of("out/x"));
        assertThat(o.kafkaBootstrap()).isEqualTo("h:9092");
        assertThat(o.redisUri()).isEqualTo("redis://h:6379");
        assertThat(o.competitors()).isFalse();
        assertThat(o.chart()).isFalse();
        assertThat(o.floors()).isTrue();
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.wireFloor()).isTrue();
        assertThat(BenchOptions.parse().wireFloor()).isFalse();
        assertThat(o.springTyped()).isTrue();
        assertThat(BenchOptions.parse().springTyped()).isFalse();
        assertThat(o.springLargeBatches()).isTrue();
        assertThat(BenchOptions.parse().springLargeBatches()).isFalse();
        assertThat(o.blockingThreads()).isTrue();
        assertThat(BenchOptions.parse().blockingThreads()).isFalse();
        assertThat(o.interleave()).isFalse();
        assertThat(BenchOptions.parse().interleave()).isTrue();
        assertThat(o.toString()).contains("sequential points in turns");
        assertThat(BenchOptions.parse().toString()).doesNotContain("turns", "fresh");
        assertThat(o.fresh()).isTrue();
        assertThat(BenchOptions.parse().fresh()).isFalse();
        assertThat(o.toString()).contains("fresh instances each round", "split core");
        assertThat(o.splitCore()).isTrue();
        assertThat(BenchOptions.parse().splitCore()).isFalse();
    }

    @Test
    void variantsAreUriQueries() {
        BenchOptions o = BenchOptions.parse("--kafka-variant", "max.in.flight.requests.per.connection=1",
                "--kafka-variant=?linger.ms=1&batch.size=32768", "--redis-variant", "readBatch=10");
        assertThat(o.kafkaVariants()).containsExactly("max.in.flight.requests.per.connection=1",
                "linger.ms=1&batch.size=32768");
        assertThat(o.redisVariants()).containsExactly("readBatch=10");
        assertThat(o.toString()).contains("kafka variants=[max.in.flight.requests.per.connection=1, linger.ms=1");
        assertThat(BenchOptions.defaults().kafkaVariants()).isEmpty();
        assertThatThrownBy(() -> BenchOptions.parse("--kafka-variant", "linger.ms")).hasMessage(
                "--kafka-variant: 'linger.ms' is not key=value");
        assertThatThrownBy(() -> BenchOptions.parse("--kafka-variant", "a=1 b=2")).hasMessageContaining(
                "expected a URI query such as key=value&key2=value2");
        assertThatThrownBy(() -> BenchOptions.parse("--kafka-variant")).hasMessage("--kafka-variant needs a value");
    }

    @Test
    void onlySelectsImplementationsByTheirLabel() {
        BenchOptions o = BenchOptions.parse("--only", "raw floor", "--only=Pipeline, direct executor");
        assertThat(o.only()).containsExactly("raw floor", "Pipeline, direct executor");
        assertThat(o.selects("RAW FLOOR")).isTrue();
        assertThat(o.selects("pipeline, direct executor")).isTrue();
        assertThat(o.selects("pipeline")).isFalse();
        assertThat(BenchOptions.defaults().selects("pipeline")).isTrue();
        assertThat(o.toString()).contains("only=[raw floor, Pipeline, direct executor]");
        assertThatThrownBy(() -> BenchOptions.parse("--only", " ")).hasMessageContaining("--only needs");
    }

    @Test
    void quickIsShort() {
        BenchOptions o = BenchOptions.parse("--quick");
        assertThat(o.duration()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.warmup()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.settle()).isZero();
        assertThat(BenchOptions.defaults().settle()).isEqualTo(Duration.ofSeconds(60));
        assertThat(BenchOptions.parse("--settle", "2m").settle()).isEqualTo(Duration.ofMinutes(2));
        assertThat(BenchOptions.parse("--settle=0").settle()).isZero();
        assertThatThrownBy(() -> BenchOptions.parse("--settle", "2h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("settle");
    }

    @Test
    void rejectsBadInputWithOneLine() {
        assertThatThrownBy(() -> BenchOptions.parse("--bogus")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown flag --bogus (see --help)");
        assertThatThrownBy(() -> BenchOptions.parse("--duration")).hasMessage("--duration needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--duration", "soon"))
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> BenchOptions.parse("--transports", "rabbit"))
                .hasMessageContaining("unknown transport 'rabbit'");
        assertThatThrownBy(() -> BenchOptions.parse("--in-flight", "0")).hasMessageContaining("1..4096");
        assertThatThrownBy(() -> BenchOptions.parse("--rounds", "0")).hasMessageContaining("rounds must be 1..20");
        assertThatThrownBy(() -> BenchOptions.parse("--payloads", "big")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> BenchOptions.parse("--redis", "localhost:6379"))
                .hasMessageContaining("redis:// or rediss://");
        assertThatThrownBy(() -> BenchOptions.builder().inFlight(List.of()))
                .hasMessage("in-flight must not be empty");
        assertThat(BenchOptions.usage()).contains("--transports", "--kafka", "--redis", "--output");
    }
}
