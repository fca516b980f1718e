package io.sluice.connect;

import java.util.Map;

/**
 * A single message transform, set up in a connector's configuration: applied to each record a source task returns
 * before it is converted and sent, and to each record a sink task is given after it is converted. Declared as
 * {@code transforms=a,b} with {@code transforms.a.type=RenameField} (or a class name) and the transform's keys
 * under {@code transforms.a.}; applied in that order. A transform that cannot handle a record throws
 * {@link DataException}, which the connector's {@code errors.tolerance} handles. Implementations are used by one
 * task thread at a time.
 */
public interface Transform
{
    /**
     * What a transform sees of a record.
     *
     * @param topic     the record's topic.
     * @param key       its key.
     * @param value     its value.
     * @param timestamp epoch ms.
     */
    record Record(String topic, Object key, Object value, long timestamp)
    {
    }

    /** @return the keys it takes (under {@code transforms.<alias>.}). */
    ConfigDef config();

    /**
     * @param config its keys' typed values (prefix removed), validated against {@link #config()}.
     */
    void configure(Map<String, Object> config);

    /**
     * @param record to transform.
     * @return the record transformed, or null to drop it.
     */
    Record apply(Record record);
}
