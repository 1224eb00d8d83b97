package dev.pipeline.rpc.tck.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.redpanda.RedpandaContainer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Testcontainers rung of the ladder. Kept in its own class so that the Testcontainers classes are only loaded
 * when a Docker engine is plausibly there.
 */
final class RedpandaRung {
    private static final Logger log = LoggerFactory.getLogger(RedpandaRung.class);

    /** System property: the Redpanda image (default below). */
    static final String IMAGE_PROPERTY = "pipeline.kafka.redpanda.image";
    /** System property: {@code false} skips the Docker rung even when an engine answers. */
    static final String DOCKER_PROPERTY = "pipeline.docker";
    static final String DEFAULT_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v24.3.18";

    private RedpandaRung() {
    }

    /**
     * Cheap pre-check before asking Testcontainers (whose own discovery can take seconds when no engine exists):
     * a Docker socket, a DOCKER_HOST, or a Testcontainers configuration must be present.
     */
    static boolean dockerPlausible() {
        if ("false".equalsIgnoreCase(System.getProperty(DOCKER_PROPERTY))) {
            return false;
        }
        String home = System.getProperty("user.home", "");
        return System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
                || Files.exists(Path.of(home, ".testcontainers.properties"))
                || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") != null;
    }

    /** @return whether Testcontainers reaches a Docker engine; never throws. */
    static boolean dockerAvailable() {
        if (!dockerPlausible()) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            log.debug("Docker check failed: {}", t.toString());
            return false;
        }
    }

    /** Starts a Redpanda container; the caller stops it with the returned handle. */
    static RedpandaContainer start() {
        String image = System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE);
        RedpandaContainer container = new RedpandaContainer(image);
        container.start();
        log.info("Redpanda container {} up at {}", image, container.getBootstrapServers());
        return container;
    }
}
