"""The surveys room, wired in one place: the pipeline step, the due-work handlers, the e-mail
sender and the answer pages, all reading one clock."""

from __future__ import annotations

from connector.directory import GroupCache
from connector.due_work import DueWorkRunner
from connector.outbox import Flusher
from connector.pipeline.surveys import Surveys
from connector.settings import Settings
from connector.store import Store
from connector.surveys.channels import EMAIL_KIND
from connector.surveys.clock import SYSTEM_CLOCK, Clock
from connector.surveys.dispatch import Dispatcher
from connector.surveys.email import EmailSender
from connector.surveys.relationship import RELATIONSHIP, RelationshipSurveys
from connector.surveys.tokens import Tokens
from connector.surveys.triggers import EXPIRE, FOLLOW_UP, REMIND, SEND, SurveyTriggers


class SurveyRoom:
    def __init__(
        self, settings: Settings, store: Store, clock: Clock = SYSTEM_CLOCK, groups: GroupCache | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        secret = settings.survey_pages.secret
        self.tokens = Tokens(secret.get_secret_value()) if secret is not None else None
        self.triggers = SurveyTriggers(settings, clock, groups)
        self.relationship = RelationshipSurveys(settings, clock)

    def step(self) -> Surveys:
        return Surveys(self.settings, self.triggers)

    def register(self, runner: DueWorkRunner, flusher: Flusher) -> None:
        """The room's due-work handlers and outbox sender. Settings with surveys always carry a
        secret (the settings refuse them otherwise); the handlers are registered regardless, so that
        work left by an earlier configuration is settled, not retried forever."""
        if self.tokens is not None:
            dispatcher = Dispatcher(self.settings, self.tokens, self.clock)
            runner.register(SEND, dispatcher.send)
            runner.register(REMIND, dispatcher.remind)
            runner.register(EXPIRE, dispatcher.expire)
            runner.register(FOLLOW_UP, dispatcher.follow_up)
        runner.register(RELATIONSHIP, self.relationship.fire)
        if self.settings.smtp is not None:
            flusher.register(EMAIL_KIND, EmailSender(self.settings.smtp, self.store, self.clock))

    def start(self) -> None:
        """Schedule each relationship survey's next round, unless it is pending already."""
        if self.relationship.surveys:
            with self.store.session() as session:
                self.relationship.ensure_scheduled(session)
