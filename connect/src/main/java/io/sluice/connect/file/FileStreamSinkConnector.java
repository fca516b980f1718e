package io.sluice.connect.file;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.SingleTaskConnector;
import io.sluice.connect.SinkConnector;
import io.sluice.connect.Task;

/**
 * Appends each record's value to a file, one line per record, and forces the file to the device before the
 * records' offsets are committed. One task: a file is written in order. Key: {@code file}.
 */
public final class FileStreamSinkConnector extends SingleTaskConnector implements SinkConnector
{
    static final String FILE = "file";
    static final ConfigDef CONFIG = new ConfigDef()
        .define(FILE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, (v) -> !((String)v).isEmpty(), "a path",
            "the file to append to");

    public ConfigDef config()
    {
        return CONFIG;
    }

    public Class<? extends Task> taskClass()
    {
        return FileStreamSinkTask.class;
    }
}
