import type { AnyExecutor, Executor } from '../executor/executor.js';
import type { z } from 'zod';
import type { jobDefinitionSchema, stepSchema } from './job-definition.js';

/**
 * A string with a template in it (`${NAME}` or `{{ … }}`). Accepted wherever a step config takes a
 * value, since the worker renders templates before it checks the config, and a whole-string
 * reference keeps its JSON type (`'{{steps.fetch.output.count}}'` can fill a number).
 */
export type TemplateString = `${string}{{${string}}}${string}` | `${string}\${${string}}${string}`;

type IsAny<T> = 0 extends 1 & T ? true : false;

/** `T` with every value also allowed to be a {@link TemplateString}, recursively. */
export type Templated<T> =
  IsAny<T> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : T extends string
      ? T | TemplateString
      : T extends number | boolean | bigint | null | undefined
        ? T | TemplateString
        : T extends ReadonlyArray<infer U>
          ? Array<Templated<U>> | TemplateString
          : T extends object
            ? { [K in keyof T]: Templated<T[K]> } | TemplateString
            : T;

/** The fields of a config object, each value also allowed to be a template (the object itself is not). */
type TemplatedFields<T> = T extends object ? { [K in keyof T]: Templated<T[K]> } : never;

/** The config input type of an executor, templates allowed (a record of anything for an untyped one). */
export type StepConfigInput<E extends AnyExecutor> =
  E extends Executor<unknown, unknown, string, infer In>
    ? IsAny<In> extends true
      ? Record<string, unknown>
      : unknown extends In
        ? Record<string, unknown>
        : TemplatedFields<In>
    : never;

/** The fields every step has, whatever its type, as written. */
export type StepFieldsInput = Omit<z.input<typeof stepSchema>, 'type' | 'config'>;

/**
 * One step as written in `cron.jobs.create`, typed by the executors the system was created with:
 * `type` is one of their step types and `config` is that executor's config (templates allowed),
 * so a misspelt field is a compile error. With executors whose types are not known (`AnyExecutor`)
 * it is `{ type: string; config?: Record<string, unknown> }`.
 */
export type StepInput<E extends AnyExecutor = AnyExecutor> = E extends AnyExecutor
  ? StepFieldsInput & { type: E['type'] } & (Record<never, never> extends StepConfigInput<E> ? { config?: StepConfigInput<E> } : { config: StepConfigInput<E> })
  : never;

/**
 * A job definition as written (defaults optional), with steps typed by `Step`: what
 * `cron.jobs.create` and `cron.jobs.update` take. For raw JSON use `cron.jobs.createFromJson`.
 */
export type JobDefinitionInput<Step = StepInput> = Omit<z.input<typeof jobDefinitionSchema>, 'steps'> & { steps: Step[] };
