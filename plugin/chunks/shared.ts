import * as preact from 'preact';
import * as hooks from 'preact/hooks';
import * as jsx from 'preact/jsx-runtime';
import * as actions from '../api/actions';
import * as client from '../api/client';
import * as actionButtons from '../components/action-buttons';
import * as confirmBar from '../components/confirm-bar';
import * as messageActions from '../hooks/use-message-actions';
import * as risks from '../api/risks';
import * as i18n from '../i18n';
import * as loader from './loader';

/**
 * The modules chunks take from the main file instead of carrying their own copy (plugin/scripts/build.ts
 * maps their imports here): one Preact with its hooks state, one I18nContext, one ApiError class for
 * instanceof, one loader; and what the list uses too. Exposed as window.AmavisQuarantine._shared; not an API for hosts.
 */
export const SHARED = { preact, hooks, jsx, actions, client, i18n, loader, risks, messageActions, actionButtons, confirmBar };
