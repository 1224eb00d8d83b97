package dev.pipeline.rpc;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientConfigTest {
    @Test
    void defaultClientIdsAreShortRandomAndValid() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ClientConfig.defaults().clientId();
            assertThat(id).matches("c-[a-z2-7]{20}");
            ids.add(id);
        }
        assertThat(ids).hasSize(10_000);
        // a default id passes the same validation as a chosen one
        assertThat(ClientConfig.builder().clientId(ClientConfig.defaults().clientId()).build().clientId())
                .startsWith("c-");
        assertThatThrownBy(() -> ClientConfig.builder().clientId("no spaces")).isInstanceOf(
                IllegalArgumentException.class);
    }
}
