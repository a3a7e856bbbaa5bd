package io.aiobridge.spring;

import io.aiobridge.AsyncFuture;
import io.aiobridge.AsyncIterable;
import io.aiobridge.Coroutine;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Ends the schedules of {@code @Scheduled} methods that return a {@link Coroutine}, an {@link
 * AsyncIterable} or an {@link AsyncFuture} just before the loop group closes, as Spring ends every
 * schedule when it destroys the beans, a step later.
 *
 * <p>Without it a run in flight at shutdown (a fixed rate or cron run: Spring's scheduler waits
 * only for fixed-delay runs) would be cancelled by the closing group rather than by its
 * subscriber, and its publisher would end it with a {@code CancellationException}, which Spring
 * logs as an unexpected error of the scheduled task; and a run triggered between the group's close
 * and the beans' destruction would start on another group. Disposing the subscription first makes
 * the run end as a Kotlin {@code suspend} or a {@code Mono} scheduled method's does: cancelled by
 * its subscriber, silently, its {@code finally} blocks run. Other beans' schedules are left to
 * Spring.
 */
final class ScheduledCoroutines implements SmartLifecycle {
    private final ConfigurableListableBeanFactory beans;
    private final ObjectProvider<ScheduledAnnotationBeanPostProcessor> scheduling;
    private final AtomicBoolean running = new AtomicBoolean();

    ScheduledCoroutines(ConfigurableListableBeanFactory beans,
            ObjectProvider<ScheduledAnnotationBeanPostProcessor> scheduling) {
        this.beans = beans;
        this.scheduling = scheduling;
    }

    @Override
    public void start() {
        running.set(true);
    }

    @Override
    public void stop() {
        if (!running.getAndSet(false)) {
            return;
        }
        ScheduledAnnotationBeanPostProcessor processor = scheduling.getIfAvailable();
        if (processor == null) {
            return; // no @EnableScheduling
        }
        for (String name : beans.getSingletonNames()) {
            Object bean = beans.getSingleton(name);
            if (bean != null && processor.requiresDestruction(bean) && schedulesCoroutines(bean)) {
                processor.postProcessBeforeDestruction(bean, name); // what destruction does
            }
        }
    }

    private static boolean schedulesCoroutines(Object bean) {
        boolean[] found = {false};
        ReflectionUtils.doWithMethods(ClassUtils.getUserClass(bean), m -> found[0] = true,
                ScheduledCoroutines::isScheduledCoroutine);
        return found[0];
    }

    private static boolean isScheduledCoroutine(Method m) {
        Class<?> type = m.getReturnType();
        return (Coroutine.class.isAssignableFrom(type) || AsyncIterable.class.isAssignableFrom(type)
                || AsyncFuture.class.isAssignableFrom(type))
                && AnnotatedElementUtils.hasAnnotation(m, Scheduled.class);
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    /** Just before {@link LoopGroupLifecycle}: a higher phase stops first. */
    @Override
    public int getPhase() {
        return LoopGroupLifecycle.PHASE + 1;
    }
}
