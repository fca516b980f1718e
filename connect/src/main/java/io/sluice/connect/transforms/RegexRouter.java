package io.sluice.connect.transforms;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.Transform;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Changes the topic when the whole topic name matches {@code regex}: to {@code replacement}, where {@code $1} and so
 * on stand for the groups (Kafka's RegexRouter). Other topics stay.
 */
public final class RegexRouter implements Transform
{
    private Pattern regex;
    private String replacement;

    public ConfigDef config()
    {
        return new ConfigDef()
            .define("regex", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, RegexRouter::compiles, "a regular expression",
                "the topics to route")
            .define("replacement", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, "the new topic, $1 for a group");
    }

    static boolean compiles(final Object value)
    {
        try
        {
            Pattern.compile((String)value);
            return true;
        }
        catch (final PatternSyntaxException ex)
        {
            return false;
        }
    }

    public void configure(final Map<String, Object> config)
    {
        regex = Pattern.compile((String)config.get("regex"));
        replacement = (String)config.get("replacement");
    }

    public Record apply(final Record record)
    {
        final java.util.regex.Matcher matcher = regex.matcher(record.topic());
        return matcher.matches() ?
            new Record(matcher.replaceFirst(replacement), record.key(), record.value(), record.timestamp()) : record;
    }
}
