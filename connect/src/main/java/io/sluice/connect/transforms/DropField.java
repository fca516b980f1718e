package io.sluice.connect.transforms;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.Transform;

import java.util.List;
import java.util.Map;

/**
 * Drops fields of the value: {@code fields=password,internal_note}.
 */
public final class DropField implements Transform
{
    private List<String> dropped;

    public ConfigDef config()
    {
        return new ConfigDef().define("fields", ConfigDef.Type.LIST, ConfigDef.NO_DEFAULT,
            (v) -> !((List<?>)v).isEmpty(), "at least one field", "the fields to drop");
    }

    @SuppressWarnings("unchecked")
    public void configure(final Map<String, Object> config)
    {
        dropped = (List<String>)config.get("fields");
    }

    public Record apply(final Record record)
    {
        final Map<String, Object> fields = Fields.copy(record, "DropField");
        dropped.forEach(fields::remove);
        return new Record(record.topic(), record.key(), fields, record.timestamp());
    }
}
