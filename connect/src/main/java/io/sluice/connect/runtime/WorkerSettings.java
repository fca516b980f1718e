package io.sluice.connect.runtime;

import io.sluice.connect.ConfigDef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The keys of a standalone worker's properties file.
 *
 * @param bootstrap             a broker, HOST:PORT (several, comma-separated, for a cluster).
 * @param offsetTopic           the compacted topic of source offsets.
 * @param offsetReplication     its replication factor when the worker creates it.
 * @param offsetFlushIntervalMs how often a source task stores the offsets of what was acknowledged.
 * @param statusPort            the HTTP status endpoint's port on 127.0.0.1; -1 for none, 0 for any free one.
 * @param topicPartitions       partitions of a topic the worker creates for a connector.
 * @param topicReplication      its replication factor.
 * @param username              the user the worker authenticates as (SCRAM-SHA-256), empty for none.
 * @param passwordFile          the file whose first line is that user's password, empty for none.
 */
record WorkerSettings(String bootstrap, String offsetTopic, int offsetReplication, long offsetFlushIntervalMs,
    int statusPort, int topicPartitions, int topicReplication, String username, String passwordFile)
{
    static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    static final String OFFSET_STORAGE_TOPIC = "offset.storage.topic";
    static final String OFFSET_STORAGE_REPLICATION_FACTOR = "offset.storage.replication.factor";
    static final String OFFSET_FLUSH_INTERVAL_MS = "offset.flush.interval.ms";
    static final String STATUS_PORT = "status.port";
    static final String TOPIC_PARTITIONS = "topic.creation.default.partitions";
    static final String TOPIC_REPLICATION = "topic.creation.default.replication.factor";
    static final String USERNAME = "client.username";
    static final String PASSWORD_FILE = "client.password.file";

    static final ConfigDef DEFINITION = new ConfigDef()
        .define(BOOTSTRAP_SERVERS, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, "the broker(s) to connect to")
        .define(OFFSET_STORAGE_TOPIC, ConfigDef.Type.STRING, "connect-offsets",
            "the compacted topic that keeps source offsets")
        .define(OFFSET_STORAGE_REPLICATION_FACTOR, ConfigDef.Type.INT, 1, (v) -> (Integer)v >= 1, "at least 1",
            "replication factor of the offsets topic when the worker creates it")
        .define(OFFSET_FLUSH_INTERVAL_MS, ConfigDef.Type.LONG, 5_000L, (v) -> (Long)v >= 1, "at least 1",
            "how often source offsets of acknowledged records are stored")
        .define(STATUS_PORT, ConfigDef.Type.INT, 8083, (v) -> (Integer)v >= -1 && (Integer)v <= 65535,
            "-1 (none), 0 (any free port) or a port", "the HTTP status endpoint's port, on 127.0.0.1")
        .define(TOPIC_PARTITIONS, ConfigDef.Type.INT, 1, (v) -> (Integer)v >= 1, "at least 1",
            "partitions of a topic a connector uses that the worker creates because it is missing")
        .define(TOPIC_REPLICATION, ConfigDef.Type.INT, 1, (v) -> (Integer)v >= 1, "at least 1",
            "replication factor of such a topic")
        .define(USERNAME, ConfigDef.Type.STRING, "",
            "the user to authenticate as with a broker that has authentication=scram-sha-256; empty for none")
        .define(PASSWORD_FILE, ConfigDef.Type.STRING, "",
            "a file whose first line is the password of client.username (never the password itself here)");

    /**
     * @param properties of the worker.
     * @return the settings.
     * @throws io.sluice.connect.ConfigException naming the key of a bad or missing value (a user without a password
     *                                           file, or the reverse).
     */
    static WorkerSettings parse(final Map<String, String> properties)
    {
        final Map<String, Object> values = DEFINITION.parse(properties);
        final String user = (String)values.get(USERNAME);
        final String passwordFile = (String)values.get(PASSWORD_FILE);
        if (user.isEmpty() != passwordFile.isEmpty())
        {
            throw new io.sluice.connect.ConfigException(user.isEmpty() ? USERNAME : PASSWORD_FILE, null,
                USERNAME + " and " + PASSWORD_FILE + " go together");
        }
        return new WorkerSettings((String)values.get(BOOTSTRAP_SERVERS), (String)values.get(OFFSET_STORAGE_TOPIC),
            (Integer)values.get(OFFSET_STORAGE_REPLICATION_FACTOR), (Long)values.get(OFFSET_FLUSH_INTERVAL_MS),
            (Integer)values.get(STATUS_PORT), (Integer)values.get(TOPIC_PARTITIONS),
            (Integer)values.get(TOPIC_REPLICATION), (String)values.get(USERNAME), (String)values.get(PASSWORD_FILE));
    }

    /**
     * @return the password read from {@link #passwordFile()}.
     * @throws IllegalArgumentException if it is empty.
     * @throws UncheckedIOException     if it cannot be read.
     */
    char[] password()
    {
        try
        {
            final List<String> lines = Files.readAllLines(Path.of(passwordFile), StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty())
            {
                throw new IllegalArgumentException(PASSWORD_FILE + " " + passwordFile + " holds no password");
            }
            return lines.get(0).toCharArray();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(PASSWORD_FILE + ": cannot read " + passwordFile + ": " + ex.getMessage(),
                ex);
        }
    }
}
