package io.sluice.connect.file;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.SingleTaskConnector;
import io.sluice.connect.SourceConnector;
import io.sluice.connect.Task;

/**
 * Tails a file into a topic, one record per line (the value; no key), resuming after a restart at the line after
 * the last one stored and following the file when it is rotated (renamed and replaced by a new one) or truncated.
 * One task: a file is read in order. Keys: {@code file}, {@code topic}, {@code batch.size}.
 */
public final class FileStreamSourceConnector extends SingleTaskConnector implements SourceConnector
{
    static final String FILE = "file";
    static final String TOPIC = "topic";
    static final String BATCH_SIZE = "batch.size";
    static final ConfigDef CONFIG = new ConfigDef()
        .define(FILE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, (v) -> !((String)v).isEmpty(), "a path",
            "the file to tail")
        .define(TOPIC, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, (v) -> !((String)v).isEmpty(), "a topic",
            "the topic to write the lines to")
        .define(BATCH_SIZE, ConfigDef.Type.INT, 2000, (v) -> (Integer)v >= 1, "at least 1",
            "the most lines one poll returns");

    public ConfigDef config()
    {
        return CONFIG;
    }

    public Class<? extends Task> taskClass()
    {
        return FileStreamSourceTask.class;
    }
}
