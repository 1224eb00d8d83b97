package dev.pipeline.rpc.tck.broker;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;

/** The Testcontainers rung of {@link RedisBroker}; loaded only when a Docker engine seems present. */
final class RedisContainerSupport {
    static final String DEFAULT_IMAGE = "redis:7.2-alpine";

    private RedisContainerSupport() {
    }

    record Started(URI uri, String image, AutoCloseable container) {
    }

    /** @return a started container, or null when no Docker engine answers. */
    static Started start() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return null;
        }
        String image = System.getProperty("pipeline.redis.image", DEFAULT_IMAGE);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withExposedPorts(6379)
                .withCommand("redis-server", "--save", "", "--appendonly", "no");
        container.start();
        URI uri = URI.create("redis://" + container.getHost() + ":" + container.getMappedPort(6379));
        return new Started(uri, image, container::stop);
    }
}
