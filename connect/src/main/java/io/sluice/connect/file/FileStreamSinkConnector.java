package io.sluice.connect.file;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.SinkConnector;
import io.sluice.connect.Task;

import java.util.List;
import java.util.Map;

/**
 * Appends each record's value to a file, one line per record, and forces the file to the device before the
 * records' offsets are committed. One task: a file is written in order. Key: {@code file}.
 */
public final class FileStreamSinkConnector implements SinkConnector
{
    static final String FILE = "file";
    static final ConfigDef CONFIG = new ConfigDef()
        .define(FILE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, (v) -> !((String)v).isEmpty(), "a path",
            "the file to append to");

    private Map<String, String> config;

    public ConfigDef config()
    {
        return CONFIG;
    }

    public void start(final Map<String, String> config)
    {
        this.config = config;
    }

    public Class<? extends Task> taskClass()
    {
        return FileStreamSinkTask.class;
    }

    public List<Map<String, String>> taskConfigs(final int maxTasks)
    {
        return List.of(config);
    }

    public void stop()
    {
    }
}
