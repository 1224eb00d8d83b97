package dev.pipeline.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README shows what the build has: the quick start is {@code QuickStart.java} verbatim (which
 * {@link QuickStartTest} runs on real brokers), its coordinates and versions are the poms', the BOM manages the
 * published modules at the project's version, the two commands are the ones {@code .ci/run} and the CLI use, and its
 * links lead to files that exist.
 */
class ReadmeTest {
    /** The repository's root: tests run in the module's directory. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String QUICK_START = "examples/src/main/java/dev/pipeline/examples/quickstart/QuickStart.java";

    static String read(String path) throws IOException {
        return Files.readString(ROOT.resolve(path));
    }

    static String between(String text, String begin, String end) {
        int b = text.indexOf(begin);
        int e = text.indexOf(end, b + 1);
        assertThat(b).as("marker %s", begin).isNotNegative();
        assertThat(e).as("marker %s", end).isGreaterThan(b);
        return text.substring(text.indexOf('\n', b) + 1, e);
    }

    /** @return the text of the first element {@code tag} after {@code after} in {@code xml} */
    static String element(String xml, String after, String tag) {
        int from = xml.indexOf(after);
        assertThat(from).as(after).isNotNegative();
        Matcher m = Pattern.compile("<" + tag + ">([^<]*)</" + tag + ">").matcher(xml);
        assertThat(m.find(from)).as("<%s> after %s", tag, after).isTrue();
        return m.group(1).strip();
    }

    static String projectVersion() throws IOException {
        return element(read("pom.xml"), "<artifactId>pipeline-parent</artifactId>", "version");
    }

    @Test
    void theQuickStartIsTheExampleFileVerbatim() throws IOException {
        String shown = between(read("README.md"), "<!-- quickstart:begin", "<!-- quickstart:end -->");
        assertThat(shown).startsWith("```java\n").endsWith("```\n");
        String code = shown.substring("```java\n".length(), shown.length() - "```\n".length());
        assertThat(code).isEqualTo(read(QUICK_START));
    }

    @Test
    void theCoordinatesAreThePoms() throws IOException {
        String coordinates = between(read("README.md"), "<!-- coordinates:begin -->", "<!-- coordinates:end -->");
        String pom = read("pom.xml");
        assertThat(element(coordinates, "<artifactId>pipeline-bom</artifactId>", "version"))
                .isEqualTo(projectVersion());
        assertThat(element(coordinates, "<artifactId>slf4j-simple</artifactId>", "version"))
                .isEqualTo(element(pom, "<properties>", "slf4j.version"));
        for (Matcher m = Pattern.compile("<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>")
                .matcher(coordinates); m.find(); ) {
            if (m.group(1).equals("dev.pipeline")) {
                assertThat(ROOT.resolve(m.group(2)).resolve("pom.xml")).as(m.group(2)).isRegularFile();
            }
        }
        assertThat(element(read("rpc-api/pom.xml"), "<parent>", "groupId")).isEqualTo("dev.pipeline");
    }

    @Test
    void theBomManagesThePublishedModulesAtTheProjectsVersion() throws IOException {
        String bom = read("pipeline-bom/pom.xml");
        assertThat(bom).doesNotContain("<parent>");
        assertThat(element(bom, "<artifactId>pipeline-bom</artifactId>", "groupId")).isEqualTo("dev.pipeline");
        assertThat(element(bom, "<artifactId>pipeline-bom</artifactId>", "version")).isEqualTo(projectVersion());
        assertThat(element(bom, "<artifactId>pipeline-bom</artifactId>", "packaging")).isEqualTo("pom");
        List<String> managed = new ArrayList<>();
        Matcher m = Pattern.compile("<groupId>dev\\.pipeline</groupId><artifactId>([^<]+)</artifactId>"
                + "<version>\\$\\{project\\.version}</version>").matcher(between(bom, "<dependencyManagement>",
                "</dependencyManagement>"));
        while (m.find()) {
            managed.add(m.group(1));
        }
        assertThat(managed).containsExactly("rpc-api", "rpc-transport-kafka", "rpc-transport-redis", "rpc-tck");
        String modules = between(read("pom.xml"), "<modules>", "</modules>");
        assertThat(modules).contains("<module>pipeline-bom</module>");
        for (String module : managed) {
            assertThat(modules).contains("<module>" + module + "</module>");
            assertThat(element(read(module + "/pom.xml"), "<parent>", "version")).isEqualTo(projectVersion());
        }
    }

    @Test
    void everyPublishedModuleIsInTheBomWithSourcesAndJavadocAndNoOtherIsDeployed() throws IOException {
        String bom = between(read("pipeline-bom/pom.xml"), "<dependencyManagement>", "</dependencyManagement>");
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(between(read("pom.xml"), "<modules>",
                "</modules>"));
        while (m.find()) {
            String module = m.group(1);
            if (module.equals("pipeline-bom")) {
                continue;
            }
            String pom = read(module + "/pom.xml");
            boolean published = !pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            assertThat(bom.contains("<artifactId>" + module + "</artifactId>")).as("%s in the BOM", module)
                    .isEqualTo(published);
            assertThat(pom.contains("maven-source-plugin") && pom.contains("maven-javadoc-plugin"))
                    .as("%s has sources and javadoc jars", module).isEqualTo(published);
        }
    }

    @Test
    void theTwoCommandsAreTheOnesInUse() throws IOException {
        String readme = read("README.md");
        assertThat(readme).contains("\n./pipeline bench\n", "\n./mvnw -B -ntp verify\n");
        assertThat(read(".ci/run")).contains("\n./mvnw -B -ntp verify\n");
        assertThat(ROOT.resolve("pipeline")).isExecutable();
        assertThat(ROOT.resolve("mvnw")).isExecutable();
    }

    @Test
    void theLinksLeadToFilesThatExist() throws IOException {
        Matcher m = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)").matcher(read("README.md"));
        List<String> links = new ArrayList<>();
        while (m.find()) {
            if (!m.group(1).contains("://")) {
                links.add(m.group(1));
            }
        }
        assertThat(links).contains("docs/architecture.md", "docs/operations.md", QUICK_START);
        for (String link : links) {
            assertThat(ROOT.resolve(link)).as(link).exists();
        }
    }
}
