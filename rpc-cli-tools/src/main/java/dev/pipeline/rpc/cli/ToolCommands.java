package dev.pipeline.rpc.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The commands of the tools jar ({@code brokers}, {@code bench}, {@code soak}); {@link PipelineCli} finds this class
 * on the class path and adds them in place of the notes the everyday jar lists.
 */
final class ToolCommands {
    private ToolCommands() {
    }

    /** @return the tools' command objects by name, in {@link PipelineCli#TOOL_COMMANDS} order */
    static Map<String, Object> commands() {
        Map<String, Object> commands = new LinkedHashMap<>();
        commands.put("brokers", new BrokersCommand());
        commands.put("bench", new BenchCommand());
        commands.put("soak", new SoakCommand());
        return commands;
    }
}
