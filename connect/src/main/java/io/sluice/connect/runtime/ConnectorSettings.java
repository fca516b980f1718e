package io.sluice.connect.runtime;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.Converter;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The keys every connector takes, whatever its class, and their typed values.
 */
record ConnectorSettings(String name, String connectorClass, int tasksMax, Converter keyConverter,
    Converter valueConverter, List<String> topics, boolean tolerateErrors, long retryTimeoutMs, long retryBackoffMs,
    List<String> transforms, String deadLetterTopic)
{
    static final String NAME = "name";
    static final String CONNECTOR_CLASS = "connector.class";
    static final String TASKS_MAX = "tasks.max";
    static final String KEY_CONVERTER = "key.converter";
    static final String VALUE_CONVERTER = "value.converter";
    static final String TOPICS = "topics";
    static final String ERRORS_TOLERANCE = "errors.tolerance";
    static final String ERRORS_RETRY_TIMEOUT_MS = "errors.retry.timeout.ms";
    static final String ERRORS_RETRY_BACKOFF_MS = "errors.retry.backoff.ms";
    static final String DEAD_LETTER_TOPIC = "errors.deadletterqueue.topic.name";

    private static final Pattern NAME_PATTERN = Pattern.compile("[a-zA-Z0-9._-]{1,100}");
    private static final List<String> CONVERTERS = List.of("string", "json", "bytes");

    static final ConfigDef DEFINITION = new ConfigDef()
        .define(NAME, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT,
            (v) -> NAME_PATTERN.matcher((String)v).matches(), "1 to 100 of a-z A-Z 0-9 . _ -",
            "the connector's unique name")
        .define(CONNECTOR_CLASS, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT,
            "the connector: a class name, or FileStreamSource / FileStreamSink")
        .define(TASKS_MAX, ConfigDef.Type.INT, 1, (v) -> (Integer)v >= 1, "at least 1",
            "the most tasks the connector may run")
        .define(KEY_CONVERTER, ConfigDef.Type.STRING, "string", CONVERTERS::contains, "string, json or bytes",
            "how keys are turned into bytes and back")
        .define(VALUE_CONVERTER, ConfigDef.Type.STRING, "string", CONVERTERS::contains, "string, json or bytes",
            "how values are turned into bytes and back")
        .define(TOPICS, ConfigDef.Type.LIST, List.of(), "a sink's topics, comma-separated")
        .define(ERRORS_TOLERANCE, ConfigDef.Type.STRING, "none", (v) -> "none".equals(v) || "all".equals(v),
            "none or all", "none: a record that fails (conversion, or a sink's put after its retries) fails the task; " +
            "all: it is logged and skipped")
        .define(ERRORS_RETRY_TIMEOUT_MS, ConfigDef.Type.LONG, 30_000L, (v) -> (Long)v >= 0, "at least 0",
            "how long a sink retries a batch whose put or flush failed with a RetriableException")
        .define(ERRORS_RETRY_BACKOFF_MS, ConfigDef.Type.LONG, 100L, (v) -> (Long)v >= 1, "at least 1",
            "the first wait between retries; it doubles up to 10 s")
        .define(DEAD_LETTER_TOPIC, ConfigDef.Type.STRING, "",
            "a sink's dead-letter topic: with errors.tolerance=all, what fails goes there with the error in headers")
        .define(TransformChain.TRANSFORMS, ConfigDef.Type.LIST, List.of(),
            "the transforms' aliases, in the order they apply; each configured under transforms.<alias>.");

    @SuppressWarnings("unchecked")
    static ConnectorSettings of(final Map<String, Object> values)
    {
        return new ConnectorSettings(
            (String)values.get(NAME),
            (String)values.get(CONNECTOR_CLASS),
            (Integer)values.get(TASKS_MAX),
            Converter.named((String)values.get(KEY_CONVERTER)),
            Converter.named((String)values.get(VALUE_CONVERTER)),
            (List<String>)values.get(TOPICS),
            "all".equals(values.get(ERRORS_TOLERANCE)),
            (Long)values.get(ERRORS_RETRY_TIMEOUT_MS),
            (Long)values.get(ERRORS_RETRY_BACKOFF_MS),
            (List<String>)values.get(TransformChain.TRANSFORMS),
            (String)values.get(DEAD_LETTER_TOPIC));
    }
}
