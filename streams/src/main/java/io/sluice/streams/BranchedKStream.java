package io.sluice.streams;

import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The branches of {@link KStream#split}: each record goes to the first branch whose predicate it matches, and to
 * the default branch (if any) when it matches none; otherwise it is dropped.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface BranchedKStream<K, V>
{
    /**
     * Add a branch.
     *
     * @param name      of the branch, unique within the split; the result map's key is the split's name and it.
     * @param predicate its records.
     * @return this.
     */
    BranchedKStream<K, V> branch(String name, BiPredicate<? super K, ? super V> predicate);

    /**
     * @param name of the default branch.
     * @return every branch by name, the default branch included.
     */
    Map<String, KStream<K, V>> defaultBranch(String name);

    /**
     * @return every branch by name; records matching none are dropped.
     */
    Map<String, KStream<K, V>> noDefaultBranch();
}
