import type { ComponentChildren } from 'preact';
import type { Ref } from 'preact';
import { PlusIcon } from '../../icons.js';
import type { IconComponent } from '../../icons.js';

/** A live panel's heading, with the button that opens its create form in place (when it has one). */
export function PanelHead(props: {
  headingId: string;
  title: string;
  /** 3 for a panel inside another (a channel's programs). */
  level?: 2 | 3;
  icon: IconComponent;
  create?: {
    kind: string;
    open: boolean;
    formId: string;
    onToggle: () => void;
    buttonRef: Ref<HTMLButtonElement>;
    blocked?: string;
  };
  children?: ComponentChildren;
}) {
  const Icon = props.icon;
  const Heading = props.level === 3 ? 'h3' : 'h2';
  const create = props.create;
  return (
    <div class="panel-head">
      <Heading id={props.headingId} class="live-heading">
        <Icon />
        {props.title}
      </Heading>
      <div class="live-head-actions">
        {props.children}
        {create && (
          <button
            ref={create.buttonRef}
            type="button"
            class="button primary"
            aria-expanded={create.open}
            aria-controls={create.formId}
            disabled={create.blocked !== undefined}
            title={create.blocked}
            onClick={create.onToggle}
          >
            <PlusIcon />
            Create {create.kind}
          </button>
        )}
      </div>
    </div>
  );
}
