package io.sluice.streams;

/**
 * The key of a windowed aggregation's result: the grouping key and its window.
 *
 * @param key    the grouping key.
 * @param window the window.
 * @param <K>    key type.
 */
public record Windowed<K>(K key, Window window)
{
    // Written out, as Window's: a windowed store looks a key up several times per record.

    public boolean equals(final Object other)
    {
        return this == other ||
            other instanceof Windowed<?> that && window.equals(that.window) && java.util.Objects.equals(key, that.key);
    }

    public int hashCode()
    {
        return 31 * java.util.Objects.hashCode(key) + window.hashCode();
    }

    public String toString()
    {
        return key + "@" + window.start() + "/" + window.end();
    }
}
