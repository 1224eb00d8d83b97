package dev.pipeline.rpc.spi;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest {
    @Test
    void userInfoPasswordsAreMasked() {
        assertThat(Secrets.mask("redis://alice:s3cret@host:6379/0")).isEqualTo("redis://alice:***@host:6379/0");
        assertThat(Secrets.mask("redis://s3cret@host:6379")).isEqualTo("redis://***@host:6379");
        assertThat(Secrets.mask("rediss://alice:p%40ss@host")).isEqualTo("rediss://alice:***@host");
        assertThat(Secrets.mask("bad 'redis://alice:s3cret@host/ x' in text")).doesNotContain("s3cret");
        assertThat(Secrets.mask("//alice:s3cret@host")).isEqualTo("//alice:***@host");
        assertThat(Secrets.mask("redis://host:6379/0")).isEqualTo("redis://host:6379/0");
    }

    @Test
    void secretOptionsAreMasked() {
        assertThat(Secrets.mask("kafka://h:9092?partitions=3&ssl.key.password=s3cret&acks=all"))
                .isEqualTo("kafka://h:9092?partitions=3&ssl.key.password=***&acks=all");
        assertThat(Secrets.mask("kafka://h:9092?sasl.jaas.config=x%20password%3D%22s3cret%22"))
                .isEqualTo("kafka://h:9092?sasl.jaas.config=***");
        assertThat(Secrets.mask("PlainLoginModule required username=\"u\" password=\"s3cret\";"))
                .doesNotContain("s3cret").contains("username=\"u\"");
        assertThat(Secrets.mask("WRONGPASS invalid username-password pair")).isEqualTo(
                "WRONGPASS invalid username-password pair");
        assertThat(Secrets.mask(null)).isNull();
    }

    @Test
    void secretNames() {
        assertThat(Secrets.isSecretName("sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecretName("ssl.truststore.password")).isTrue();
        assertThat(Secrets.isSecretName("ssl.key")).isTrue();
        assertThat(Secrets.isSecretName("partitions")).isFalse();
        assertThat(Secrets.isSecretName("bootstrap.servers")).isFalse();
        assertThat(Secrets.masked(Map.of("ssl.key.password", "x", "acks", "all")))
                .containsEntry("ssl.key.password", "***").containsEntry("acks", "all");
    }
}
