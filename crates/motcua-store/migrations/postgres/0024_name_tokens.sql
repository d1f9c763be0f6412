-- Keyed fingerprints of the words (and word beginnings) of each person's name, so that an
-- official can find a dossier by the applicant's name without the names being stored in the
-- clear or decrypted one by one (see the vault's blind index).
CREATE TABLE name_tokens (
    user_id TEXT NOT NULL REFERENCES users(id),
    token TEXT NOT NULL,
    PRIMARY KEY (user_id, token)
);
