package io.sluice.connect.transforms;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.Transform;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps the records whose value (or the value's {@code field}, if given) matches {@code pattern} as a whole, and
 * drops the rest; {@code exclude=true} drops the matching ones instead. A record without the field does not match.
 */
public final class Filter implements Transform
{
    private Pattern pattern;
    private String field;
    private boolean exclude;

    public ConfigDef config()
    {
        return new ConfigDef()
            .define("pattern", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, RegexRouter::compiles,
                "a regular expression", "what a kept value matches")
            .define("field", ConfigDef.Type.STRING, "", "the field to match; empty: the whole value")
            .define("exclude", ConfigDef.Type.BOOLEAN, false, "drop the matching records instead");
    }

    public void configure(final Map<String, Object> config)
    {
        pattern = Pattern.compile((String)config.get("pattern"));
        field = (String)config.get("field");
        exclude = (Boolean)config.get("exclude");
    }

    public Record apply(final Record record)
    {
        final Object subject = field.isEmpty() ? record.value() : Fields.copy(record, "Filter").get(field);
        final boolean matches = null != subject && pattern.matcher(String.valueOf(subject)).matches();
        return matches != exclude ? record : null;
    }
}
