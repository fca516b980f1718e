package io.sluice.connect.transforms;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.Transform;

import java.util.Map;

/**
 * Adds the record's timestamp (epoch ms) to the value as a field: {@code field=ingested_at}.
 */
public final class InsertTimestamp implements Transform
{
    private String field;

    public ConfigDef config()
    {
        return new ConfigDef().define("field", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT,
            (v) -> !((String)v).isEmpty(), "a field name", "the field to add");
    }

    public void configure(final Map<String, Object> config)
    {
        field = (String)config.get("field");
    }

    public Record apply(final Record record)
    {
        final Map<String, Object> fields = Fields.copy(record, "InsertTimestamp");
        fields.put(field, record.timestamp());
        return new Record(record.topic(), record.key(), fields, record.timestamp());
    }
}
