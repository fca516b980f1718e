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
    public String toString()
    {
        return key + "@" + window.start() + "/" + window.end();
    }
}
