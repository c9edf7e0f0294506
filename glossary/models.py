"""The persistent shape of Samenspraak, in SQLAlchemy 2.0 typed models.

Schema changes are Alembic migrations in ``glossary/migrations``; the tests check that the
migrations and these models agree.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Facilitator(Base):
    """A person with an account who prepares and leads meetings."""

    __tablename__ = "facilitators"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A personal API token for scripts; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitators.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    facilitator: Mapped[Facilitator] = relationship()


class LoginSession(Base):
    """One signed-in browser: the login cookie names it, and logout (or revoking every session)
    ends it on the server, so a copied cookie stops working too. Only a hash of its key is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitators.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Partnership(Base):
    """A samenwerkingsverband: partner organisations that explore and keep a shared vocabulary."""

    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partners: Mapped[list[Partner]] = relationship(
        back_populates="partnership", order_by="Partner.name", cascade="all, delete-orphan"
    )
    facilitators: Mapped[list[Facilitator]] = relationship(secondary="partnership_facilitators")


class PartnershipFacilitator(Base):
    """Which facilitators lead (and may edit) a partnership."""

    __tablename__ = "partnership_facilitators"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitators.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Partner(Base):
    """A participating organisation within a partnership."""

    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("partnership_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    partnership: Mapped[Partnership] = relationship(back_populates="partners")


class Meeting(Base):
    """A bijeenkomst: participants join it with its code and explore its terms in rounds."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(6), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    terms: Mapped[list[Term]] = relationship(
        order_by="Term.position", cascade="all, delete-orphan", back_populates="meeting"
    )


class Term(Base):
    """One word on a meeting's ordered list of terms to explore."""

    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(120))

    meeting: Mapped[Meeting] = relationship(back_populates="terms")


class Participant(Base):
    """A person in a meeting, on behalf of a partner; recognised again by a rejoin token."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship()

    __table_args__ = (UniqueConstraint("meeting_id", "partner_id", "name_key"),)


class Round(Base):
    """One term explored in a meeting, moving through the phases collect → reveal → discuss → consent → closed (see meeting.rounds.Phase)."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="SET NULL"))
    term: Mapped[str] = mapped_column(String(120))
    phase: Mapped[str] = mapped_column(String(16))
    anonymity: Mapped[str] = mapped_column(String(16), default="named")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The facilitator stopped new or changed definitions while still collecting.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A countdown for one phase; screens show it only while the round is still in that phase.
    timer_phase: Mapped[str | None] = mapped_column(String(16))
    timer_seconds: Mapped[int | None] = mapped_column(Integer)
    timer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last reminder to those who had not submitted (shown to staff, spaced out).
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Closed because the facilitator started the term afresh; its definitions are kept, not shown.
    restarted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    definitions: Mapped[list[Definition]] = relationship(
        order_by="Definition.id", back_populates="round", cascade="all, delete-orphan"
    )


class Definition(Base):
    """One participant's text for a round's term; editable until the reveal."""

    __tablename__ = "definitions"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    example: Mapped[str] = mapped_column(Text, default="")
    observable: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sentence vector cached at submission (float32 little-endian) and the engine that made it.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    vector_engine: Mapped[str | None] = mapped_column(String(80))

    round: Mapped[Round] = relationship(back_populates="definitions")
    participant: Mapped[Participant] = relationship()


class SubmissionReceipt(Base):
    """Remembers each accepted submission's client_id, so a resent submission stores nothing new."""

    __tablename__ = "submission_receipts"
    __table_args__ = (UniqueConstraint("participant_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoundAnalysis(Base):
    """The meanings found in a revealed round, with the facilitator's corrections applied.

    ``result`` is the analysis as shown to the room; ``version`` grows with every correction so
    that screens (and cached map images) know they are up to date.
    """

    __tablename__ = "round_analyses"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    result: Mapped[dict] = mapped_column(JSON)
    engine: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    corrected: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- The partnership glossary (entries, their versions, comments, share links, settings) ---

# Objects that the migrations create for one backend only (SQLite's FTS5 search index and its
# shadow tables; PostgreSQL's generated tsvector column and its GIN index). The models cannot describe them, so
# the migration environment and the models-versus-migrations test leave them out of comparison.
SEARCH_INDEX_TABLE = "glossary_search"
SEARCH_INDEX_PG = "ix_glossary_entries_search"
SEARCH_VECTOR_PG = "search_vector"


def include_in_schema_comparison(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic ``include_name`` hook: skip the backend-specific search index objects."""
    if type_ == "table" and name and (name == SEARCH_INDEX_TABLE or name.startswith(SEARCH_INDEX_TABLE + "_")):
        return False
    if type_ == "column" and name == SEARCH_VECTOR_PG and parent_names.get("table_name") == "glossary_entries":
        return False
    return not (type_ == "index" and name == SEARCH_INDEX_PG)


class GlossarySettings(Base):
    """Per partnership: which framework its glossary uses (a built-in file or an uploaded one)."""

    __tablename__ = "glossary_settings"

    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True)
    framework_key: Mapped[str] = mapped_column(String(64), default="pcm")
    # An uploaded framework file (validated by glossary.entries.framework); None means a built-in file.
    framework_data: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlossaryEntry(Base):
    """An agreed (or still open) term in a partnership's glossary; its content lives in versions.

    ``version`` is the number of the newest version: an edit names the version it started from,
    so a stale edit is refused instead of overwriting someone else's work.
    """

    __tablename__ = "glossary_entries"
    __table_args__ = (UniqueConstraint("partnership_id", "term_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(String(120))
    term_key: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The meeting whose term list it was put on by "opnieuw bespreken".
    revisit_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Lemmatised, stemmed words of the current version (glossary.entries.search fills them); SQLite's FTS5
    # table and PostgreSQL's GIN index search these, so inflected forms find each other.
    search_term: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")

    partnership: Mapped[Partnership] = relationship()
    revisit_meeting: Mapped[Meeting | None] = relationship()
    versions: Mapped[list[EntryVersion]] = relationship(
        order_by="EntryVersion.number", back_populates="entry", cascade="all, delete-orphan"
    )
    current: Mapped[EntryVersion] = relationship(
        primaryjoin="and_(GlossaryEntry.id == foreign(EntryVersion.entry_id), "
        "GlossaryEntry.version == foreign(EntryVersion.number))",
        viewonly=True,
        uselist=False,
    )
    comments: Mapped[list[EntryComment]] = relationship(
        order_by="EntryComment.id", back_populates="entry", cascade="all, delete-orphan"
    )


class EntryVersion(Base):
    """One immutable state of a glossary entry, with who made it and where it came from.

    A version adopted in a meeting keeps its ``provenance``: meeting, round, date, the definitions
    it came from, the votes and every reservation (see glossary.entries.adopt_definition).
    """

    __tablename__ = "entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("glossary_entries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    term: Mapped[str] = mapped_column(String(120))
    definition: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    not_to_confuse_with: Mapped[list] = mapped_column(JSON, default=list)
    examples: Mapped[list] = mapped_column(JSON, default=list)
    synonyms: Mapped[list] = mapped_column(JSON, default=list)
    condition_ids: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    # edit | meeting | import | revisit: how this version came about.
    source: Mapped[str] = mapped_column(String(16))
    change_note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    # Kept as text so the history stays readable when an account is removed.
    author_name: Mapped[str] = mapped_column(String(120), default="")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"), index=True)
    provenance: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[GlossaryEntry] = relationship(back_populates="versions")


class EntryComment(Base):
    """A remark in an entry's comment thread (Markdown, sanitised when shown)."""

    __tablename__ = "entry_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("glossary_entries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[GlossaryEntry] = relationship(back_populates="comments")


class ShareLink(Base):
    """A revocable, read-only link to a partnership's glossary; only the token's SHA-256 is stored."""

    __tablename__ = "glossary_share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reaction(Base):
    """A participant's mark on a definition in the discuss phase: herken ik / eens / oneens / pas."""

    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("definition_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DefinitionQuestion(Base):
    """A question a participant asks about a definition; its author may answer it."""

    __tablename__ = "definition_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Restatement(Base):
    """Listening check: a participant restates another partner's definition in their own words;
    the original author judges it (klopt / deels / nee) and the app measures how close it is."""

    __tablename__ = "restatements"
    __table_args__ = (UniqueConstraint("round_id", "check_number", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    check_number: Mapped[int] = mapped_column(Integer)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    text: Mapped[str | None] = mapped_column(Text)
    closeness: Mapped[float | None] = mapped_column()
    verdict: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Proposal(Base):
    """A proposed shared definition put to consent; amending it asks again as a new number."""

    __tablename__ = "proposals"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | superseded | adopted
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Vote(Base):
    """One participant's answer to a proposal: akkoord / kan ermee leven / bezwaar."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoundSorting(Base):
    """The room sorting a revealed round: the cards each author was dealt at the start (by their
    definition id, so they never shift), when it started and ended."""

    __tablename__ = "round_sortings"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    cards: Mapped[dict] = mapped_column(JSON)  # {"<own definition id>": [other definition ids]}
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SortJudgement(Base):
    """One author's answer about another definition: means the same as mine, something else, or
    not sure. One per person per other definition; answering again changes it."""

    __tablename__ = "sort_judgements"
    __table_args__ = (UniqueConstraint("participant_id", "other_definition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    other_definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id", ondelete="CASCADE"))
    verdict: Mapped[str] = mapped_column(String(16))  # same | different | unsure
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartnerDocument(Base):
    """A partner's own document (policy note, year plan, minutes), kept as plain text only as long
    as the facilitator wants: deleting it removes its text and every analysis that quoted it."""

    __tablename__ = "partner_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship()


class TermAnalysis(Base):
    """One run of the term finder over a partnership's documents; `result` holds its ranked terms
    (with example sentences, so it is deleted with any of its documents)."""

    __tablename__ = "term_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, done, failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
